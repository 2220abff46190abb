"""The loader registry: detect a document's dialect by content and load it into the model."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from typing import Any, cast

from tracetui.errors import TraceError
from tracetui.loaders import (
    cfn,
    chrome,
    dagron,
    graphenix,
    native,
    otlp,
    victor,
    victor_csv,
    victor_engine,
)
from tracetui.loaders.base import Loader
from tracetui.model import TraceSet
from tracetui.source import (
    Document,
    PieceError,
    Progress,
    array_pieces,
    collector_paused,
    parse,
    read_bytes,
)

# Most specific first: a dagron array is tried before a bare Chrome array.
LOADERS: tuple[Loader, ...] = cast(
    tuple[Loader, ...],
    (native, dagron, chrome, victor, victor_csv, victor_engine, cfn, graphenix, otlp),
)
DIALECTS: tuple[str, ...] = tuple(dict.fromkeys(loader.DIALECT for loader in LOADERS))


def detect(doc: Document) -> Loader | None:
    """The first loader that recognises the document, or None."""
    for loader in LOADERS:
        if doc.kind in loader.KINDS and loader.detect(doc):
            return loader
    return None


def describe_shape(value: Any) -> str:
    """A short description of a JSON value's shape, for the no-known-shape message."""
    if isinstance(value, dict):
        keys = ", ".join(sorted(str(k) for k in value)[:8])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(value, list):
        if not value:
            return "an empty array"
        first = value[0]
        if isinstance(first, dict):
            keys = ", ".join(sorted(str(k) for k in first)[:8])
            return f"an array of objects with keys {keys}"
        return f"an array of {type(first).__name__} values"
    return f"a {type(value).__name__}"


def load_document(doc: Document, dialect: str | None = None) -> TraceSet:
    """Every trace in a parsed document, in the given or the detected dialect."""
    try:
        # Building millions of objects with the collector on makes it rescan them again and
        # again; nothing here makes reference cycles that need it meanwhile.
        with collector_paused():
            return _load_document(doc, dialect)
    except TraceError:
        # What survived a broken JSON file was not a trace: the break is the real problem.
        if doc.broken is not None:
            raise doc.broken from None
        raise


def _load_document(doc: Document, dialect: str | None) -> TraceSet:
    if dialect is not None:
        candidates = [each for each in LOADERS if dialect == each.DIALECT]
        if not candidates:
            raise TraceError(f"unknown dialect {dialect!r} (known: {', '.join(DIALECTS)})")
        loader = next((each for each in candidates if doc.kind in each.KINDS), None)
        if loader is None:
            raise TraceError(f"{dialect} traces are not read from {doc.kind.upper()}")
        if not loader.detect(doc):
            # Forced on what is plainly another dialect: say so, not a record-level complaint.
            found = detect(doc)
            if found is not None and dialect != found.DIALECT:
                raise TraceError(
                    f"not a {dialect} trace: by its content it is {found.DIALECT} "
                    "(leave out --dialect, or name that one)"
                )
    else:
        found = detect(doc)
        if found is None and doc.kind == "json" and isinstance(doc.value, dict):
            # One record of a JSON-lines stream (a producer that has just started).
            one = Document(doc.source, "jsonl", [doc.value], lines=[1], size=doc.size)
            found = detect(one)
            if found is not None:
                doc = one
        if found is None:
            if doc.kind == "csv":
                header = ",".join(doc.header or [])[:80]
                raise TraceError(
                    f"CSV of no known shape (header {header!r}); tried {', '.join(DIALECTS)}",
                    line=1,
                )
            raise TraceError(
                f"no known trace shape in {describe_shape(doc.value)}; tried {', '.join(DIALECTS)}"
            )
        loader = found
    traces = loader.load(doc)
    for trace in traces:
        trace.cut_cycles()
    if len(traces) == 1:
        # What the reader skipped belongs to the one run the file holds.
        traces[0].warnings[:0] = doc.warnings
    return TraceSet(doc.source, traces, list(doc.warnings))


# From this size, an array of events is parsed and loaded piece by piece (see ``_load_pieces``).
PIECES_FROM_BYTES = 1 << 20
# Dialects whose loader reads a big array in pieces (raising PieceError when it cannot).
_PIECEWISE = {dagron.DIALECT: dagron.load_array}
# The first piece, parsed only to tell the dialect.
_HEAD_BYTES = 64 << 10


def load_bytes(
    data: bytes, source: str, dialect: str | None = None, progress: Progress | None = None
) -> TraceSet:
    """Every trace in raw bytes; ``progress`` hears the fraction read, where that is known."""
    # Paused throughout: between parsing and loading, a collection would scan the whole
    # parsed document once more.
    with collector_paused():
        if len(data) >= PIECES_FROM_BYTES:
            loaded = _load_pieces(data, source, dialect, progress)
            if loaded is not None:
                return loaded
        return load_document(parse(data, source), dialect)


def _load_pieces(
    data: bytes, source: str, dialect: str | None, progress: Progress | None
) -> TraceSet | None:
    """A big array of events, parsed a few megabytes at a time, each piece dropped once it is
    in the model: peak memory stays near the model's own size. None when the file is not such
    an array, or a piece does not parse alone (then the whole file is read the usual way, which
    reports or salvages the break)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    pieces = array_pieces(data, piece_bytes=_HEAD_BYTES)
    if pieces is None:
        return None
    try:
        found = detect(Document(source, "json", next(pieces), size=len(data)))
        if found is None or found.DIALECT not in _PIECEWISE or dialect not in (None, found.DIALECT):
            return None
        traces = _PIECEWISE[found.DIALECT](source, data, progress)
    except PieceError:
        return None
    for trace in traces:
        trace.cut_cycles()
    return TraceSet(source, traces, [])


def load_path(path: str, dialect: str | None = None, progress: Progress | None = None) -> TraceSet:
    """Every trace in a file (``-`` for standard input; gzip is read transparently)."""
    source = "<stdin>" if path == "-" else path
    loaded = load_bytes(read_bytes(path), source, dialect, progress)
    loaded.modified_at = modified_at(path)
    return loaded


def modified_at(path: str) -> datetime | None:
    """When a regular file was last written; None for standard input, pipes and devices."""
    if path == "-":
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return datetime.fromtimestamp(info.st_mtime, UTC) if stat.S_ISREG(info.st_mode) else None
