"""Steps shared by the Open Badge credential tests: download a certificate's credential, and
check it with Digital Bazaar's libraries given only what the sponsor's site publishes."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from tests.support.node_verifier import node_verify


def badge_link(page) -> str:
    """The address behind `Download Open Badge (JSON)` on a certificate page."""
    match = re.search(
        r'href="([^"]+)"[^>]*>Download Open Badge \(JSON\)', page.get_data(as_text=True)
    )
    assert match, "no Download Open Badge (JSON) link"
    return match.group(1)


def download_badge(client, page) -> dict:
    """The credential the certificate page offers, as JSON."""
    response = client.get(badge_link(page))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def _path(url: str) -> str:
    return urlsplit(url).path


def published(client, credential: dict) -> dict:
    """What a verifier fetches from the sponsor's site for this credential: the DID document,
    the status list the credential names, and our extension context."""
    did_document = json.loads(client.get("/.well-known/did.json").data)
    status_url = credential["credentialStatus"]["statusListCredential"]
    status_list = json.loads(client.get(_path(status_url)).data)
    context_url = credential["@context"][2]
    context = json.loads(client.get(_path(context_url)).data)
    return {
        "did_document": did_document,
        "status_lists": {status_url: status_list},
        "contexts": {context_url: context},
    }


def node_check(client, credential: dict) -> dict:
    """Digital Bazaar's verdict on the credential, given what the sponsor publishes now."""
    return node_verify(credential, **published(client, credential))
