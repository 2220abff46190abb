"""Export to the Chrome Trace Event Format (Perfetto, chrome://tracing), dropping nothing."""

from __future__ import annotations

from typing import Any

from tracetui.model import Span, Trace, TraceSet

US = 1e6


def _root(trace: Trace, span: Span) -> Span:
    while span.parent is not None:
        span = trace.spans[span.parent]
    return span


def _args(span: Span) -> dict[str, Any]:
    args: dict[str, Any] = {"status": span.status.value, "kind": span.kind, "key": span.key}
    if span.error is not None:
        args["error"] = span.error
    if span.duration is not None:
        args["reported_duration_s"] = span.duration
    if span.inputs is not None:
        args["inputs"] = span.inputs
    if span.outputs is not None:
        args["outputs"] = span.outputs
    if span.attributes:
        args["attributes"] = span.attributes
    return args


def chrome_events(traces: TraceSet) -> list[dict[str, Any]]:
    """Complete (X) events, one process per trace and one track per top-level span."""
    events: list[dict[str, Any]] = []
    for pid, trace in enumerate(traces.traces, 1):
        label = trace.label
        events.append(
            {
                "name": "process_name",
                "ph": "M",
                "pid": pid,
                "tid": 0,
                "args": {"name": f"{label} ({trace.dialect}, {trace.status.value})"},
            }
        )
        events.append(
            {
                "name": "process_labels",
                "ph": "M",
                "pid": pid,
                "tid": 0,
                "args": {"labels": f"status={trace.status.value}"},
            }
        )
        lanes: dict[int, int] = {}
        for span in trace.spans:
            root = _root(trace, span)
            if root.index not in lanes:
                lanes[root.index] = len(lanes) + 1
                events.append(
                    {
                        "name": "thread_name",
                        "ph": "M",
                        "pid": pid,
                        "tid": lanes[root.index],
                        "args": {"name": root.name},
                    }
                )
        for span in trace.spans:
            tid = lanes[_root(trace, span).index]
            args = _args(span)
            base = {
                "name": span.name,
                "cat": span.kind,
                "pid": pid,
                "tid": tid,
                "args": args,
            }
            # Every span is a complete event (zero-length ones too), so loaders see spans.
            start = span.start if span.start is not None else span.end
            if start is None:
                events.append(
                    {**base, "ph": "X", "ts": 0.0, "dur": 0.0, "args": {**args, "untimed": True}}
                )
            elif span.end is None and span.start is not None:
                end = max(start, trace.duration or start)
                events.append(
                    {
                        **base,
                        "ph": "X",
                        "ts": start * US,
                        "dur": (end - start) * US,
                        "args": {**args, "open": True},
                    }
                )
            else:
                end = span.end if span.end is not None else start
                events.append(
                    {**base, "ph": "X", "ts": start * US, "dur": max(0.0, end - start) * US}
                )
        for event in trace.events:
            lane = (
                lanes[_root(trace, trace.spans[event.span]).index] if event.span is not None else 0
            )
            events.append(
                {
                    "name": event.type,
                    "cat": f"event:{event.kind}",
                    "ph": "i",
                    "s": "t",
                    "ts": (event.time or 0.0) * US,
                    "pid": pid,
                    "tid": lane,
                    "args": {"kind": event.kind, **event.attributes},
                }
            )
    return events


def chrome_document(traces: TraceSet) -> dict[str, Any]:
    """The whole export: ``{"traceEvents": [...], "displayTimeUnit": "ms", "metadata": {...}}``."""
    return {
        "traceEvents": chrome_events(traces),
        "displayTimeUnit": "ms",
        "metadata": {
            "exported_by": "tracetui",
            "source": traces.source,
            "traces": [
                {
                    "dialect": t.dialect,
                    "id": t.id,
                    "name": t.name,
                    "status": t.status.value,
                    "started_at": t.started_at.isoformat() if t.started_at else None,
                    "warnings": t.warnings,
                    "attributes": t.attributes,
                }
                for t in traces.traces
            ],
        },
    }
