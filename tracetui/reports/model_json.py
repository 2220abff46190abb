"""The normalized model as plain JSON-ready data: golden dumps and the ``json`` export."""

from __future__ import annotations

from typing import Any

from tracetui.model import Event, Span, Trace, TraceSet

FORMAT = "tracetui.model/v1"


def span_dict(span: Span) -> dict[str, Any]:
    """One span with every mapped field (the raw record is left out)."""
    return {
        "index": span.index,
        "key": span.key,
        "name": span.name,
        "kind": span.kind,
        "parent": span.parent,
        "start": span.start,
        "end": span.end,
        "duration": span.duration,
        "status": span.status.value,
        "error": span.error,
        "inputs": span.inputs,
        "outputs": span.outputs,
        "attributes": span.attributes,
        "events": span.events,
    }


def event_dict(event: Event) -> dict[str, Any]:
    """One event: time, normalized kind, original type, span and attributes."""
    return {
        "index": event.index,
        "time": event.time,
        "kind": event.kind,
        "type": event.type,
        "span": event.span,
        "attributes": event.attributes,
    }


def trace_dict(trace: Trace) -> dict[str, Any]:
    """One trace with its spans and events."""
    return {
        "dialect": trace.dialect,
        "id": trace.id,
        "name": trace.name,
        "started_at": trace.started_at.isoformat() if trace.started_at else None,
        "status": trace.status.value,
        "duration": trace.duration,
        "error": trace.error,
        "record_count": trace.record_count,
        "attributes": trace.attributes,
        "warnings": trace.warnings,
        "spans": [span_dict(s) for s in trace.spans],
        "events": [event_dict(e) for e in trace.events],
    }


def traceset_dict(traces: TraceSet) -> dict[str, Any]:
    """Everything a source held, in the documented model format."""
    return {
        "format": FORMAT,
        "source": traces.source,
        "warnings": traces.warnings,
        "traces": [trace_dict(t) for t in traces.traces],
    }
