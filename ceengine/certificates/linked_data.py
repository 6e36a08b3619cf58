"""JSON-LD without the network: the bundled contexts (`contexts/index.json` maps each URL to
its file) and RDF Dataset Canonicalization (RDFC-1.0, which pyld calls URDNA2015)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from pyld import jsonld

CONTEXTS = Path(__file__).parent / "contexts"

DocumentLoader = Callable[..., dict]


class UnknownDocument(ValueError):
    """A document names a context (or key) that is not bundled: nothing is fetched."""


@cache
def _bundled() -> dict[str, dict]:
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {
        url: json.loads((CONTEXTS / name).read_text(encoding="utf-8"))
        for url, name in index.items()
    }


def bundled_context(url: str) -> dict:
    """One bundled context document, as published."""
    try:
        return _bundled()[url]
    except KeyError:
        raise UnknownDocument(f"{url} is not a bundled context") from None


def document_loader(extra: Mapping[str, dict] | None = None) -> DocumentLoader:
    """A pyld document loader serving the bundled contexts and `extra` (URL -> document)."""
    extra = dict(extra or {})

    def load(url: str, options: dict | None = None) -> dict:
        document = extra.get(url)
        if document is None:
            document = bundled_context(url)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonical_nquads(document: dict, loader: DocumentLoader) -> str:
    """The document's RDF dataset, canonicalized (RDFC-1.0) and serialized as N-Quads."""
    try:
        return jsonld.normalize(
            document,
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
        )
    except jsonld.JsonLdError as error:
        raise UnknownDocument(_cause(error)) from error


def _cause(error: BaseException) -> str:
    """The innermost message of a pyld error (they nest the real cause several levels deep)."""
    while isinstance(getattr(error, "cause", None), BaseException):
        error = error.cause
    return str(error).splitlines()[0] if str(error) else type(error).__name__
