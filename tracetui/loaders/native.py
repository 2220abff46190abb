"""tracetui's own model export (``tracetui export --to json``), read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracetui.errors import RecordError, TraceError
from tracetui.formats.model_json import FORMAT
from tracetui.loaders.fields import array, obj, optional_number, optional_string
from tracetui.model import Event, Span, Status, Trace, status_named
from tracetui.source import Document

DIALECT = "tracetui"
KINDS = frozenset({"json"})


def detect(doc: Document) -> bool:
    """An object whose ``format`` is the model export's."""
    return isinstance(doc.value, dict) and doc.value.get("format") == FORMAT


def _status(value: Any) -> Status:
    status = status_named(value)
    if status is not None:
        return status
    raise RecordError(f"unknown status {str(value)[:40]!r}")


def _moment(text: str) -> datetime:
    """An ISO-8601 time as exported (a naive one stays naive: the source gave no zone)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"'started_at' is not an ISO-8601 time: {text[:40]!r}") from None


def _count(value: Any) -> int:
    """A non-negative whole number, or 0 when the field is absent or not one."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return 0


def _span(position: int, item: Any) -> Span:
    if not isinstance(item, dict):
        raise RecordError(f"span {position} is not an object")
    parent = item.get("parent")
    if parent is not None and not isinstance(parent, int):
        raise RecordError(f"span {position}: 'parent' must be an index")
    return Span(
        index=position,
        key=str(item.get("key", position)),
        name=str(item.get("name", "")),
        kind=str(item.get("kind", "node")),
        parent=parent,
        start=optional_number(item, "start"),
        end=optional_number(item, "end"),
        duration=optional_number(item, "duration"),
        status=_status(item.get("status", "unknown")),
        error=optional_string(item, "error"),
        inputs=item.get("inputs"),
        outputs=item.get("outputs"),
        attributes=obj(item, "attributes"),
        raw=item.get("raw"),
    )


def _trace(record: Any, source: str) -> Trace:
    if not isinstance(record, dict):
        raise RecordError("a trace is not an object")
    started = optional_string(record, "started_at")
    started_at = _moment(started) if started else None
    trace = Trace(
        dialect=str(record.get("dialect", DIALECT)),
        source=source,
        id=optional_string(record, "id"),
        name=optional_string(record, "name"),
        started_at=started_at,
        status=_status(record.get("status", "unknown")),
        duration=optional_number(record, "duration"),
        error=optional_string(record, "error"),
        attributes=obj(record, "attributes"),
        warnings=[str(w) for w in array(record, "warnings")],
        record_count=_count(record.get("record_count")),
        raw=record.get("raw"),
    )
    trace.attributes.setdefault("loaded_from", FORMAT)
    trace.spans = [_span(i, item) for i, item in enumerate(array(record, "spans"))]
    for span in trace.spans:
        if span.parent is not None:
            if not 0 <= span.parent < len(trace.spans):
                raise RecordError(f"span {span.index}: parent {span.parent} does not exist")
            trace.adopt(span.parent, span.index)
    for position, item in enumerate(array(record, "events")):
        if not isinstance(item, dict):
            raise RecordError(f"event {position} is not an object")
        span_index = item.get("span")
        if span_index is not None and not (
            isinstance(span_index, int) and 0 <= span_index < len(trace.spans)
        ):
            raise RecordError(f"event {position}: span {span_index!r} does not exist")
        event = Event(
            position,
            optional_number(item, "time"),
            str(item.get("kind", "unknown")),
            str(item.get("type", "")),
            span_index,
            obj(item, "attributes"),
            item.get("raw"),
        )
        trace.events.append(event)
    return trace


def load(doc: Document) -> list[Trace]:
    """Every trace in the export, as it was."""
    value = doc.value
    if not isinstance(value, dict):
        raise TraceError("expected a tracetui model export object")
    traces = []
    try:
        records = array(value, "traces")
    except RecordError as exc:
        raise TraceError(str(exc)) from None
    for position, record in enumerate(records):
        try:
            traces.append(_trace(record, doc.source))
        except (RecordError, ValueError) as exc:
            raise TraceError(f"trace {position}: {exc}") from None
    if not traces:
        raise TraceError("the export holds no traces")
    return traces
