"""What a verifier fetches to check an Open Badge credential without asking us about it: the
sponsor's DID document, our extension context and the status lists; and the learner's own
download of the credential."""

from __future__ import annotations

import json

from flask import Response, abort, request
from flask.typing import ResponseReturnValue

from ceengine.certificates import bp
from ceengine.certificates.credentials import (
    extension_context,
    published_did_document,
    status_list,
    status_lists_in_use,
    stored_credential,
)
from ceengine.certificates.models import VALID
from ceengine.certificates.tokens import number_from_token
from ceengine.certificates.verify_views import verify_limit
from ceengine.errors import render_error
from ceengine.extensions import limiter


def _public(body: bytes, mimetype: str, cache: str) -> Response:
    """A document anyone's verifier may fetch, from any site (CORS), revalidated by ETag."""
    response = Response(body, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = cache
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
@limiter.limit(verify_limit)
def did_document() -> ResponseReturnValue:
    """The sponsor's DID document (did:web): the keys that sign credentials, old ones too."""
    body = json.dumps(published_did_document(), indent=2).encode()
    return _public(body, "application/did+json", "public, max-age=300")


@bp.get("/credentials/contexts/ce-v1.jsonld")
@limiter.limit(verify_limit)
def credential_context() -> ResponseReturnValue:
    """Our JSON-LD extension context: CE credit per approval, license details, presenters."""
    return _public(extension_context(), "application/ld+json", "public, max-age=86400")


@bp.get("/credentials/status/<int:list_number>")
@limiter.limit(verify_limit)
def status_list_document(list_number: int) -> ResponseReturnValue:
    """A signed Bitstring Status List: a set bit means that credential no longer stands."""
    if not 1 <= list_number <= status_lists_in_use():
        return render_error(404, f"There is no status list {list_number}.")
    return _public(status_list(list_number), "application/vc+ld+json", "no-cache")


@bp.get("/certificates/<token>/open-badge.json")
@limiter.exempt
def badge_download(token: str) -> ResponseReturnValue:
    """The certificate's Open Badge credential, exactly as issued and embedded in the PDF."""
    number = number_from_token(token)
    stored = stored_credential(number) if number else None
    if stored is None or stored.credential is None:
        abort(404)
    if stored.status != VALID:
        return render_error(
            410,
            f"Certificate {stored.number} is {stored.status} "
            "and its credential can no longer be downloaded. Open its page for details.",
        )
    response = Response(
        stored.credential,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="open-badge-{stored.number}.json"',
            "Cache-Control": "private, no-cache",
        },
    )
    response.add_etag()
    return response.make_conditional(request)
