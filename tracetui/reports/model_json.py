"""The normalized model as JSON-ready data: the documented ``json`` export, loadable again.

Format ``tracetui.model/v1``::

    {"format": "tracetui.model/v1", "source": str, "warnings": [str],
     "traces": [{"dialect", "id", "name", "started_at" (ISO-8601 or null), "status",
                 "duration" (s or null), "error", "record_count", "attributes", "warnings",
                 "spans": [{"index", "key", "name", "kind", "parent" (index or null),
                            "start", "end", "duration" (s from the trace origin, or null),
                            "status", "error", "inputs", "outputs", "attributes",
                            "events" ([event index]), "raw"}],
                 "events": [{"index", "time", "kind", "type", "span", "attributes", "raw"}],
                 "raw"}]}

Statuses are the model's words (ok, failed, skipped, timed_out, cancelled, cached, running,
unknown). ``raw`` holds the source record(s) as read, unless the export was asked to leave
them out.
"""

from __future__ import annotations

from typing import Any

from tracetui.formats.model_json import FORMAT
from tracetui.model import Event, Span, Trace, TraceSet


def span_dict(trace: Trace, span: Span, raw: bool = True) -> dict[str, Any]:
    """One span with every field (and the indices of its events)."""
    result = {
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
        "events": trace.events_of(span.index),
    }
    if raw:
        result["raw"] = span.raw
    return result


def event_dict(event: Event, raw: bool = True) -> dict[str, Any]:
    """One event: time, normalized kind, original type, span and attributes."""
    result = {
        "index": event.index,
        "time": event.time,
        "kind": event.kind,
        "type": event.type,
        "span": event.span,
        "attributes": event.attributes,
    }
    if raw:
        result["raw"] = event.raw
    return result


def trace_dict(trace: Trace, raw: bool = True) -> dict[str, Any]:
    """One trace with its spans and events."""
    result = {
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
        "spans": [span_dict(trace, s, raw) for s in trace.spans],
        "events": [event_dict(e, raw) for e in trace.events],
    }
    # A span or event raw record usually is the whole source; only keep the trace's own
    # when nothing finer holds it.
    if raw and not trace.spans and not trace.events:
        result["raw"] = trace.raw
    return result


def traceset_dict(traces: TraceSet, raw: bool = True) -> dict[str, Any]:
    """Everything a source held, in the documented model format."""
    return {
        "format": FORMAT,
        "source": traces.source,
        "warnings": traces.warnings,
        "traces": [trace_dict(t, raw) for t in traces.traces],
    }
