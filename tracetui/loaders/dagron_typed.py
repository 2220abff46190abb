"""dagron's events decoded straight into typed records (msgspec), for big files.

Decoding into a ``Struct`` checks every field's type and range in C while parsing, and makes
one small object an event instead of a dict: it is faster than ``orjson.loads`` alone, and
the loader's loop then reads attributes instead of checking dict values one by one. A piece
holding any record that does not fit (an unknown key, a null, a wrong type, a number out of
range, an integer orjson would read as a float) is decoded as plain dicts by orjson instead,
and those records take the loader's general path with its warnings: nothing is dropped, and
a file loads the same whichever way each piece was read.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import orjson
from msgspec import UNSET, Meta, Struct, UnsetType

from tracetui.loaders.fields import MAX_SECONDS


class DagronEvent(Struct, forbid_unknown_fields=True, gc=False):
    """One event with exactly the keys dagron writes, in its order (optional ones absent)."""

    event_type: str
    timestamp: Annotated[float, Meta(ge=-MAX_SECONDS, le=MAX_SECONDS)]
    node_name: str | UnsetType = UNSET
    step_index: Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)] | UnsetType = UNSET
    duration: Annotated[float, Meta(ge=0, lt=MAX_SECONDS)] | UnsetType = UNSET
    error: str | UnsetType = UNSET
    # Kept as its bytes and decoded by orjson when read, so that every value in it (a huge
    # integer, say) reads exactly as the whole file would: it is rare and never in a hot path.
    metadata: msgspec.Raw | UnsetType = UNSET


__all__ = ["UNSET", "DagronEvent", "as_record", "decode_line", "decode_piece"]

_DECODER = msgspec.json.Decoder(list[DagronEvent])
_OPTIONAL = DagronEvent.__struct_fields__[2:]


def decode_piece(data: bytes) -> list[Any]:
    """A JSON array of events as ``DagronEvent``s, or as dicts when any record does not fit
    (``orjson.JSONDecodeError`` when the bytes are not JSON at all)."""
    try:
        return _DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):
        # A record of another shape, nesting past msgspec's depth, or broken JSON: orjson
        # decides, as it would for the whole file.
        plain: list[Any] = orjson.loads(data)
        return plain


_LINE_DECODER = msgspec.json.Decoder(DagronEvent)


def decode_line(line: bytes) -> Any:
    """One JSON line: a ``DagronEvent``, or what orjson reads when the record does not fit
    (``orjson.JSONDecodeError`` when the line is not JSON at all)."""
    try:
        return _LINE_DECODER.decode(line)
    except (msgspec.DecodeError, RecursionError):
        return orjson.loads(line)


def as_record(event: DagronEvent) -> dict[str, Any]:
    """The event as the dict it was decoded from (the keys present, in dagron's order)."""
    record: dict[str, Any] = {"event_type": event.event_type, "timestamp": event.timestamp}
    for key in _OPTIONAL:
        value = getattr(event, key)
        if value is not UNSET:
            record[key] = orjson.loads(memoryview(value)) if key == "metadata" else value
    return record
