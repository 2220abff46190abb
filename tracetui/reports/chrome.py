"""Export to the Chrome Trace Event Format (Perfetto, chrome://tracing), dropping nothing."""

from __future__ import annotations

import heapq
from typing import Any

from tracetui.model import Span, Trace, TraceSet

US = 1e6


def tracks(trace: Trace) -> tuple[dict[int, int], dict[int, str]]:
    """A track (thread id, from 1) for every span, such that the slices of one track nest as
    Perfetto requires: a span goes on its parent's track when it fits inside the parent there,
    else on the first track free by its start, else on a new one. Concurrent nodes of a
    dagron step get tracks of their own; a gate wait before its node goes beside it. Spans
    with no time share track 0. Returns (span -> track, track -> name)."""
    track_of: dict[int, int] = {}
    names: dict[int, str] = {}
    open_on: dict[int, list[float]] = {}  # each track's open slices' ends, innermost last
    last_end: dict[int, float] = {}
    free: list[tuple[float, int]] = []  # (when a track's last slice ends, track)
    tops: dict[int, list[str]] = {}  # the outermost spans placed on each track
    timed = [s for s in trace.spans if s.start is not None]
    timed.sort(key=_outer_first)
    for span in timed:
        start = span.start if span.start is not None else 0.0
        end = max(start, span.end if span.end is not None else start)
        track = _inside_parent(span, start, end, track_of, open_on)
        if track is None:
            while free and last_end[free[0][1]] != free[0][0]:
                heapq.heappop(free)  # stale: that track has taken a later slice since
            if free and free[0][0] <= start:
                track = heapq.heappop(free)[1]
                open_on[track].clear()
            else:
                track = len(open_on) + 1
                open_on[track] = []
                last_end[track] = end
            tops.setdefault(track, []).append(span.name)
            if end >= last_end[track] or not open_on[track]:
                last_end[track] = end
                heapq.heappush(free, (end, track))
        open_on[track].append(end)
        track_of[span.index] = track
    for track, placed in tops.items():
        # Named after its one outermost span, or as a lane when several take turns on it.
        names[track] = placed[0] if len(placed) == 1 else f"lane {track}"
    for span in trace.spans:
        if span.index not in track_of:
            track_of[span.index] = 0
            names.setdefault(0, "untimed")
    return track_of, names


def _outer_first(span: Span) -> tuple[float, float, int]:
    """Earlier first; of two starting together, the longer (the one that contains) first."""
    start = span.start if span.start is not None else 0.0
    end = span.end if span.end is not None else start
    return (start, -end, span.index)


def _inside_parent(
    span: Span,
    start: float,
    end: float,
    track_of: dict[int, int],
    open_on: dict[int, list[float]],
) -> int | None:
    """The parent's track, when the span nests inside what is open there."""
    if span.parent is None or span.parent not in track_of:
        return None
    track = track_of[span.parent]
    if track == 0:
        return None
    stack = open_on[track]
    while stack and stack[-1] <= start:
        stack.pop()  # ended before this span began
    if stack and stack[-1] >= end:
        return track
    return None


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
        lanes, track_names = tracks(trace)
        for tid, name in sorted(track_names.items()):
            events.append(
                {"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": name}}
            )
        for span in trace.spans:
            tid = lanes[span.index]
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
            lane = lanes[event.span] if event.span is not None else 0
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
