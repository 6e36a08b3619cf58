"""Two app instances on different ports, sharing one PostgreSQL and one Redis.

Rate limits hold across both (a visitor cannot double them by switching instance), and a
certificate issued through one verifies on the other, by number and by its PDF.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import pytest
import requests

from benchmarks.servers import serve
from tests.support.crowd import Clinician, Tally, quiz_answers
from tests.support.html import csrf_token_in
from tests.support.served import prepare_database, redis_server, served_env

pytestmark = pytest.mark.served
LIMIT = 6


@pytest.fixture
def shared_database(postgres_server, courses_dir) -> str:
    """One migrated PostgreSQL database with the fixture courses."""
    url = postgres_server.create_database("instances")
    prepare_database(served_env(url, courses_dir))
    return url


def _two_instances(
    stack: ExitStack, database_url: str, courses_dir, tmp_path, storage: str
) -> list[str]:
    env = served_env(
        database_url,
        courses_dir,
        CEENGINE_RATELIMIT_STORAGE_URI=storage,
        CEENGINE_VERIFY_RATE_LIMIT=f"{LIMIT} per minute",
        CEENGINE_ADMIN_LOGIN_RATE_LIMIT=f"{LIMIT} per minute",
    )
    return [
        stack.enter_context(
            serve("wsgi:app", env, workers=2, log=tmp_path / f"instance-{i}.log")
        ).url
        for i in range(2)
    ]


def _verify_statuses(urls: list[str], count: int) -> list[int]:
    """GET a verification page `count` times, alternating between the instances."""
    return [
        requests.get(f"{urls[i % 2]}/verify/7KQ2-M9XD-4HTR-V", timeout=30).status_code
        for i in range(count)
    ]


def _sign_in_statuses(urls: list[str], count: int) -> list[int]:
    """Wrong admin passwords, alternating between the instances (each with its own form)."""
    statuses = []
    for i in range(count):
        browser = requests.Session()
        page = browser.get(f"{urls[i % 2]}/admin/login", timeout=30).text
        statuses.append(
            browser.post(
                f"{urls[i % 2]}/admin/login",
                timeout=30,
                data={
                    "csrf_token": csrf_token_in(page),
                    "email": "nobody@example.org",
                    "password": "not the password at all",
                },
            ).status_code
        )
    return statuses


def test_rate_limits_hold_across_two_instances_sharing_redis(
    shared_database, courses_dir, tmp_path
):
    with redis_server() as redis_url, ExitStack() as stack:
        urls = _two_instances(stack, shared_database, courses_dir, tmp_path, redis_url)
        verify = _verify_statuses(urls, LIMIT + 2)
        sign_in = _sign_in_statuses(urls, LIMIT + 2)
        over = requests.get(f"{urls[0]}/verify/7KQ2-M9XD-4HTR-V", timeout=30)
    assert 429 not in verify[:LIMIT] and verify[LIMIT:] == [429, 429]
    assert 429 not in sign_in[:LIMIT] and sign_in[LIMIT:] == [429, 429]
    assert over.status_code == 429 and "Please wait a moment and try again." in over.text


def test_without_shared_storage_each_instance_counts_alone(shared_database, courses_dir, tmp_path):
    """The reason Redis is needed: with per-process memory a visitor gets twice the limit."""
    with ExitStack() as stack:
        urls = _two_instances(stack, shared_database, courses_dir, tmp_path, "memory://")
        # Two workers per instance, each counting alone: more than the limit gets through.
        verify = _verify_statuses(urls, LIMIT + 2)
    assert verify.count(429) < 2


def test_a_certificate_issued_on_one_instance_verifies_on_the_other(
    shared_database, courses_dir, tmp_path
):
    with redis_server() as redis_url, ExitStack() as stack:
        first, second = _two_instances(stack, shared_database, courses_dir, tmp_path, redis_url)
        tally = Tally()
        person = Clinician(first, tally, quiz_answers(shared_database))
        result = person.take_quiz("demo-lesson", passing=True)
        address = person.free_certificate(result, "Ana María Núñez", "ana@example.org")
        pdf = person.get(address + "/pdf").content
        page = person.get(address).text
        number = re.search(r'href="/verify/([^"]+)"', page).group(1)

        on_second = requests.get(f"{second}/verify/{number}", timeout=30)
        assert on_second.status_code == 200 and "Valid" in on_second.text
        assert "Ana María Núñez" in on_second.text
        browser = requests.Session()
        form = browser.get(f"{second}/verify", timeout=30).text
        checked = browser.post(
            f"{second}/verify",
            timeout=30,
            data={"csrf_token": csrf_token_in(form)},
            files={"pdf": ("certificate.pdf", pdf, "application/pdf")},
        )
        assert checked.status_code == 200, checked.text[:500]
        assert "Authentic and unchanged" in checked.text
        download = requests.get(second + address + "/pdf", timeout=30)
        assert download.content == pdf
    assert tally.server_errors == [] and tally.surprises == []
