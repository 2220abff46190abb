"""Export any dialect as OTLP JSON (an ``ExportTraceServiceRequest``) for Jaeger, Tempo, ...

Statuses OpenTelemetry lacks (skipped, cancelled, cached, timed out, running) travel as the
``tracetui.status`` attribute; the span's kind in tracetui (node, tool_call, ...) as
``tracetui.kind``. A run without an absolute start time is placed at the Unix epoch and says so
in the ``tracetui.relative_times`` resource attribute.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tracetui.formats import otlp_keys as keys
from tracetui.formats.json_text import dumps
from tracetui.model import FAILURE_STATUSES, Span, Status, Trace, TraceSet

NS = 1_000_000_000


# Levels of nested arrays and objects written as OTLP values; deeper ones travel as JSON text
# (the reader unwraps as deep, so a round trip keeps what it can and loses nothing).
MAX_VALUE_DEPTH = 32


def value(data: Any, depth: int = 0) -> dict[str, Any]:
    """Plain data as an OTLP AnyValue."""
    if isinstance(data, list | tuple | dict) and depth >= MAX_VALUE_DEPTH:
        return {"stringValue": dumps(data).rstrip("\n")}
    if isinstance(data, bool):
        return {"boolValue": data}
    if isinstance(data, int):
        return {"intValue": str(data)}
    if isinstance(data, float):
        return {"doubleValue": data}
    if isinstance(data, str):
        return {"stringValue": data}
    if isinstance(data, list | tuple):
        return {"arrayValue": {"values": [value(v, depth + 1) for v in data]}}
    if isinstance(data, dict):
        return {"kvlistValue": {"values": key_values(data, depth + 1)}}
    if data is None:
        return {}
    return {"stringValue": str(data)}


def key_values(data: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """A dict as OTLP attributes."""
    return [{"key": str(k), "value": value(v, depth)} for k, v in data.items()]


def _hex(text: str, size: int) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()[: size * 2]


def trace_id_of(trace: Trace, position: int) -> str:
    """The run's id as 32 hex digits (kept when it already is one, else derived from it)."""
    candidate = (trace.id or "").replace("-", "").lower()
    if len(candidate) == 32 and all(c in "0123456789abcdef" for c in candidate):
        return candidate
    return _hex(f"{trace.source}#{position}#{trace.id}", 16)


def _status(span: Span) -> dict[str, Any]:
    if span.status in FAILURE_STATUSES:
        result: dict[str, Any] = {"code": 2}
        if span.error:
            result["message"] = span.error
        return result
    if span.status in (Status.OK, Status.CACHED):
        return {"code": 1}
    return {"code": 0}


def _span(trace: Trace, trace_id: str, span: Span, base_ns: int) -> dict[str, Any]:
    def at(seconds: float) -> str:
        return str(base_ns + round(seconds * NS))

    start = span.start if span.start is not None else span.end
    end = span.end if span.end is not None else start
    attrs: dict[str, Any] = {
        keys.STATUS: span.status.value,
        keys.KIND: span.kind,
        keys.KEY: span.key,
    }
    if span.duration is not None:
        attrs[keys.REPORTED_DURATION] = span.duration
    if span.end is None:
        attrs[keys.OPEN] = True
    if span.start is None:
        attrs[keys.NO_START] = True
    if span.error is not None:
        attrs[keys.ERROR] = span.error
    if span.inputs is not None:
        attrs[keys.INPUTS] = span.inputs
    if span.outputs is not None:
        attrs[keys.OUTPUTS] = span.outputs
    for key, item in span.attributes.items():
        attrs.setdefault(f"attr.{key}" if key.startswith(keys.PREFIX) else key, item)
    record: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": _hex(f"{trace_id}/{span.key}/{span.index}", 8),
        "name": span.name,
        "kind": 1,
        "startTimeUnixNano": at(start or 0.0),
        "endTimeUnixNano": at(end if end is not None else (start or 0.0)),
        "attributes": key_values(attrs),
        "status": _status(span),
    }
    if span.parent is not None:
        parent = trace.spans[span.parent]
        record["parentSpanId"] = _hex(f"{trace_id}/{parent.key}/{parent.index}", 8)
    events = []
    for index in trace.events_of(span.index):
        event = trace.events[index]
        events.append(
            {
                "timeUnixNano": at(event.time if event.time is not None else (start or 0.0)),
                "name": event.type,
                "attributes": key_values({keys.KIND: event.kind, **event.attributes}),
            }
        )
    if events:
        record["events"] = events
    return record


def otlp_request(traces: TraceSet) -> dict[str, Any]:
    """One ExportTraceServiceRequest holding every run of the source."""
    resource_spans = []
    for position, trace in enumerate(traces.traces):
        trace_id = trace_id_of(trace, position)
        base_ns = round(trace.started_at.timestamp() * NS) if trace.started_at else 0
        resource: dict[str, Any] = {
            "service.name": trace.label,
            keys.DIALECT: trace.dialect,
            keys.SOURCE: traces.source,
            keys.RUN_STATUS: trace.status.value,
        }
        if trace.id:
            resource[keys.RUN_ID] = trace.id
        if trace.name:
            resource[keys.RUN_NAME] = trace.name
        if trace.started_at is None:
            resource[keys.RELATIVE_TIMES] = True
        else:
            resource[keys.STARTED_AT] = trace.started_at.isoformat()
        if trace.duration is not None:
            resource[keys.DURATION] = trace.duration
        if trace.error:
            resource[keys.RUN_ERROR] = trace.error
        spans = [_span(trace, trace_id, s, base_ns) for s in trace.spans]
        if not spans:
            # OTLP has no run without spans: one placeholder span keeps the run itself.
            spans = [
                {
                    "traceId": trace_id,
                    "spanId": _hex(f"{trace_id}/run", 8),
                    "name": trace.label,
                    "kind": 1,
                    "startTimeUnixNano": str(base_ns),
                    "endTimeUnixNano": str(base_ns),
                    "attributes": key_values({keys.PLACEHOLDER: True}),
                    "status": {"code": 0},
                }
            ]
        resource_spans.append(
            {
                "resource": {"attributes": key_values(resource)},
                "scopeSpans": [{"scope": {"name": "tracetui"}, "spans": spans}],
            }
        )
    return {"resourceSpans": resource_spans}
