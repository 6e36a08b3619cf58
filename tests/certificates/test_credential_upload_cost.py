"""An uploaded credential that is not ours costs little to refuse, whatever its shape.

`shape_problem` bounds the dicts (200) and the nesting (12) before any JSON-LD work, but not
the other values, nor look-alike parts: a 60 KB list of strings, or nine results that differ
only in key order, passes it, and canonicalizing either (RDFC-1.0, pyld) takes tens of
seconds to minutes of CPU per upload — the first grows quadratically with the list, the
second factorially with the look-alikes. Nobody needs our key to do it: the verification
method is public (the DID document), and the work happens before the signature is checked.
"""

from __future__ import annotations

import copy
import itertools
import signal
from contextlib import contextmanager

import pytest

from ceengine.certificates.credentials import check_credential
from tests.support.certificate_steps import issue
from tests.support.credential_steps import download_badge

SECONDS = 5  # refusing either takes milliseconds; before the fix, 30 s and 150 s


class TookTooLong(BaseException):
    """Not an Exception: pyld wraps every Exception in a JsonLdError, which the check turns
    into an ordinary "not valid"."""


@contextmanager
def at_most(seconds: int):
    def stop(signum, frame):
        raise TookTooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    except TookTooLong:
        pytest.fail(f"checking the upload took more than {seconds} s", pytrace=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def wide(credential: dict) -> dict:
    """Our credential with 8,000 distinct strings in one field (about 60 KB)."""
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["profession"] = [f"{i:x}" for i in range(8000)]
    return forged


def look_alikes(credential: dict) -> dict:
    """Our credential with two achievements, each with nine results descriptions, that differ
    only in key order: blank nodes of one RDF shape."""
    forged = copy.deepcopy(credential)
    achievement = forged["credentialSubject"]["achievement"]
    del achievement["id"]
    described = {k: v for k, v in achievement["resultDescription"][0].items() if k != "id"}
    achievements = []
    for keys in (list(achievement), list(reversed(achievement))):
        orders = itertools.permutations(list(described))
        copied = {k: achievement[k] for k in keys}
        copied["resultDescription"] = [{k: described[k] for k in next(orders)} for _ in range(9)]
        achievements.append(copied)
    forged["credentialSubject"]["achievement"] = achievements
    return forged


@pytest.mark.parametrize("forge", [wide, look_alikes], ids=["wide", "look-alikes"])
def test_a_forged_credential_is_refused_quickly(synced, client, forge):
    credential = download_badge(client, issue(client))
    forged = forge(credential)

    with at_most(SECONDS):
        check = check_credential(forged)

    assert not check.ok
