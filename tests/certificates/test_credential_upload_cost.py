"""An uploaded credential that is not ours costs little to refuse, whatever its shape: only a
document shaped exactly as the credential we stored for its number is canonicalized.

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

import pytest

from ceengine.certificates import proofs
from ceengine.certificates.credentials import check_credential
from tests.support.certificate_steps import issue
from tests.support.credential_steps import download_badge


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


@pytest.fixture
def canonicalized(monkeypatch) -> list[int]:
    """The sizes of the documents the check canonicalizes (the costly step), in order."""
    sizes: list[int] = []
    real = proofs.canonical_nquads

    def counted(document, loader):
        sizes.append(len(repr(document)))
        return real(document, loader)

    monkeypatch.setattr(proofs, "canonical_nquads", counted)
    return sizes


@pytest.mark.parametrize("forge", [wide, look_alikes], ids=["wide", "look-alikes"])
def test_a_forged_credential_is_refused_without_canonicalizing_it(
    synced, client, canonicalized, forge
):
    credential = download_badge(client, issue(client))
    canonicalized.clear()  # issuing signed the credential

    check = check_credential(forge(credential))

    assert not check.ok
    assert canonicalized == []  # refused on its shape: the cost of the upload is bounded
    assert "It is not shaped as the credential we issued" in check.findings[0].words


def test_a_credential_shaped_as_ours_is_canonicalized_as_ours_was(synced, client, canonicalized):
    credential = download_badge(client, issue(client))
    canonicalized.clear()
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["creditsEarned"] = 40

    check = check_credential(changed)

    assert "it was changed after it was signed" in check.findings[0].words
    assert len(canonicalized) == 2  # the proof options and the document, once each
