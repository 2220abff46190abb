"""Victor execution-engine trace (``victor workflow trace``) and its history record."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tracetui.errors import RecordError
from tracetui.loaders.base import finish_duration, holds, load_each, worst_status
from tracetui.loaders.fields import (
    array,
    epoch,
    extras,
    obj,
    optional_epoch,
    optional_number,
    optional_string,
    string,
)
from tracetui.model import NODE, Span, Status, Trace
from tracetui.source import Document

DIALECT = "victor-engine"
KINDS = frozenset({"json", "jsonl"})

EVENT_TYPES = frozenset(
    {
        "workflow_started",
        "workflow_completed",
        "workflow_failed",
        "workflow_paused",
        "workflow_resumed",
        "node_started",
        "node_completed",
        "node_failed",
        "node_skipped",
        "node_paused",
        "breakpoint_hit",
        "error_occurred",
        "error_recovered",
        "state_captured",
        "retry_attempt",
    }
)
_STATUS = {
    "completed": Status.OK,
    "failed": Status.FAILED,
    "skipped": Status.SKIPPED,
    "running": Status.RUNNING,
    "paused": Status.RUNNING,
    "pending": Status.UNKNOWN,
}
_NODE_END = {
    "node_completed": Status.OK,
    "node_failed": Status.FAILED,
    "node_skipped": Status.SKIPPED,
}
_RUN_END = {"workflow_completed": Status.OK, "workflow_failed": Status.FAILED}
_KNOWN_KEYS = frozenset(
    {"node_id", "event_type", "timestamp", "status", "duration_seconds", "error", "metadata"}
)
_FAILED_NODE = re.compile(r"^Node '(?P<node>[^']+)' failed: (?P<error>.*)\Z", re.DOTALL)
WORKFLOW = "workflow"


def is_trace(value: Any) -> bool:
    """An engine trace (``execution_id`` + ``events``) or a history record."""
    return (
        isinstance(value, dict)
        and "execution_id" in value
        and ("events" in value or "trace_summary" in value)
    )


def detect(doc: Document) -> bool:
    """One engine trace, or an array / JSON lines of them."""
    return holds(doc, is_trace)


def load(doc: Document) -> list[Trace]:
    """Every trace in the document."""
    return load_each(doc, is_trace, lambda record: load_trace(record, doc.source))


def load_trace(record: dict[str, Any], source: str) -> Trace:
    """One engine trace or history record."""
    start = epoch(record, "start_time")
    trace = Trace(
        dialect=DIALECT,
        source=source,
        id=optional_string(record, "execution_id"),
        name=optional_string(record, "workflow_name"),
        started_at=datetime.fromtimestamp(start, UTC),
        raw=record,
    )
    trace.attributes["end_time"] = optional_epoch(record, "end_time")
    trace.attributes.update(
        extras(
            record, frozenset({"execution_id", "workflow_name", "start_time", "end_time", "events"})
        )
    )
    trace.duration = optional_number(record, "duration_seconds")
    if "events" not in record:
        return _history_record(trace, record)
    trace.attributes["format"] = "engine trace"
    run_status = Status.RUNNING
    open_nodes: dict[str, Span] = {}
    runs: dict[str, int] = {}
    events = array(record, "events")
    for position, event in enumerate(events):
        try:
            run_status = _place(trace, event, start, open_nodes, runs, run_status)
        except RecordError as exc:
            trace.warn(f"event {position}: {exc}, skipped")
    trace.record_count = len(events)
    _infer_failed_node(trace)
    if run_status is Status.RUNNING and trace.attributes["end_time"] is not None:
        run_status = worst_status([s.status for s in trace.nodes()])
    trace.status = run_status
    finish_duration(trace)
    return trace


def _place(
    trace: Trace,
    event: Any,
    origin: float,
    open_nodes: dict[str, Span],
    runs: dict[str, int],
    run_status: Status,
) -> Status:
    if not isinstance(event, dict):
        raise RecordError("not an object")
    node_id = string(event, "node_id")
    etype = string(event, "event_type")
    time = epoch(event, "timestamp") - origin
    duration = optional_number(event, "duration_seconds")
    error = optional_string(event, "error")
    state = optional_string(event, "status")
    attributes = {
        "status": state,
        "duration_seconds": duration,
        "error": error,
        "metadata": obj(event, "metadata"),
        **extras(event, _KNOWN_KEYS),
    }
    span_index: int | None = None
    if node_id == WORKFLOW and etype.startswith("workflow_"):
        if etype in _RUN_END:
            run_status = _RUN_END[etype]
            if error:
                trace.error = error
        elif etype == "workflow_paused":
            trace.attributes["paused"] = True
        kind = "run_" + etype.removeprefix("workflow_")
    else:
        span = open_nodes.get(node_id)
        if etype == "node_started" or span is None:
            count = runs.get(node_id, 0) + 1
            runs[node_id] = count
            key = node_id if count == 1 else f"{node_id}#{count}"
            span = trace.add_span(key, node_id, NODE, status=Status.RUNNING)
            open_nodes[node_id] = span
        if etype == "node_started":
            span.start = time
        elif etype in _NODE_END:
            # Completion events are stamped when the node ends; its start is the duration before.
            span.end = time
            span.duration = duration
            if span.start is None:
                span.start = time - (duration or 0.0)
            span.status = _STATUS.get(state or "", _NODE_END[etype])
            if error:
                span.error = error
            del open_nodes[node_id]
        elif etype == "node_paused":
            span.attributes["paused"] = True
        elif etype in ("error_occurred", "retry_attempt") and error:
            span.attributes.setdefault("errors", []).append(error)
        span_index = span.index
        kind = etype if etype in EVENT_TYPES else "unknown"
    trace.add_event(time, kind, etype, span_index, attributes, event)
    return run_status


def _infer_failed_node(trace: Trace) -> None:
    """``execute()`` names the failing node only in the run's error: make that node visible."""
    if trace.error is None:
        return
    match = _FAILED_NODE.match(trace.error)
    if match is None:
        return
    name = match.group("node")
    if any(s.name == name and s.status.is_failure for s in trace.nodes()):
        return
    span = next((s for s in trace.nodes() if s.name == name), None)
    if span is None:
        span = trace.add_span(name, name, NODE)
    span.status = Status.FAILED
    span.error = match.group("error")
    span.attributes["inferred"] = "named as the failing node by the workflow_failed error"


def _history_record(trace: Trace, record: dict[str, Any]) -> Trace:
    """A history record holds counters, not events: keep them, say so."""
    trace.attributes["format"] = "history record"
    summary = obj(record, "trace_summary")
    trace.record_count = 0
    errors = summary.get("error_count")
    trace.status = Status.FAILED if isinstance(errors, int) and errors > 0 else Status.OK
    if trace.duration is None:
        trace.duration = optional_number(summary, "duration_seconds")
    trace.warn("history record: run counters only, no per-node events")
    return trace
