"""graphenix ``GraphExecutionTrace``: a header, ISO-timed events and ``nodeExecutions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracetui.errors import RecordError
from tracetui.loaders.base import finish_duration, holds, load_each, sample, worst_status
from tracetui.loaders.fields import array, extras, obj, optional_string, parse_time, string
from tracetui.model import MODEL_INVOCATION, NODE, UNIT, EventColumns, Span, Status, Trace
from tracetui.source import Document

DIALECT = "graphenix"
KINDS = frozenset({"json", "jsonl"})
FORMAT_PREFIX = "graphenix.execution-trace/"

_RUN_STATUS = {
    "running": Status.RUNNING,
    "completed": Status.OK,
    "succeeded": Status.OK,
    "success": Status.OK,
    "ok": Status.OK,
    "failed": Status.FAILED,
    "error": Status.FAILED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "aborted": Status.CANCELLED,
    "timed_out": Status.TIMED_OUT,
    "timeout": Status.TIMED_OUT,
    "skipped": Status.SKIPPED,
    "partial": Status.FAILED,
}
# The last word of an event type says how the node or unit ended.
_ENDING = {
    "completed": Status.OK,
    "succeeded": Status.OK,
    "failed": Status.FAILED,
    "errored": Status.FAILED,
    "error": Status.FAILED,
    "skipped": Status.SKIPPED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "timed_out": Status.TIMED_OUT,
    "timedout": Status.TIMED_OUT,
    "timeout": Status.TIMED_OUT,
    "cached": Status.CACHED,
}
_HEADER_KEYS = frozenset(
    {"format", "traceId", "jobId", "createdAt", "completedAt", "status", "events", "nodeExecutions"}
)
_EVENT_KEYS = frozenset({"id", "ts", "type", "nodeId", "unitId", "unitKind", "modelSlot"})


def is_trace(value: Any) -> bool:
    """An object whose ``format`` names the graphenix execution trace."""
    return isinstance(value, dict) and str(value.get("format", "")).startswith(FORMAT_PREFIX)


def is_event(value: Any) -> bool:
    """A graphenix event on its own (a line of an event stream)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and "ts" in value
        and value["type"].split(".")[0] in ("graph", "node", "unit", "model", "plan", "trace")
    )


def _is_stream(values: list[Any]) -> bool:
    """JSON lines of events, optionally after a header line."""
    head = sample(values, 6)
    rest = head[1:] if head and is_trace(head[0]) else head
    return bool(rest) and all(is_event(v) for v in rest)


def detect(doc: Document) -> bool:
    """One trace, an array / JSON lines of them, or an event stream (header line optional)."""
    if holds(doc, is_trace):
        return True
    return isinstance(doc.value, list) and bool(doc.value) and _is_stream(doc.value)


def load(doc: Document) -> list[Trace]:
    """Every trace in the document."""
    if isinstance(doc.value, list) and doc.value and _is_stream(doc.value):
        return [_load_stream(doc)]
    return load_each(doc, is_trace, lambda record: load_trace(record, doc.source))


def _load_stream(doc: Document) -> Trace:
    """One trace from a header line (if any) and one event per line."""
    values: list[Any] = doc.value
    header: dict[str, Any] = dict(values[0]) if is_trace(values[0]) else {}
    events = list(header.get("events") or []) if header else []
    skipped = 0
    for value in values[1 if header else 0 :]:
        if is_event(value):
            events.append(value)
        else:
            skipped += 1
    header.setdefault("format", FORMAT_PREFIX + "v1")
    header["events"] = events
    trace = load_trace(header, doc.source)
    trace.attributes["layout"] = "event stream (JSON lines)"
    if skipped:
        trace.warn(f"{skipped} lines are neither the header nor events, skipped")
    return trace


def node_name(node_id: str) -> str:
    """``node:audience-insights`` -> ``audience-insights``."""
    return node_id.removeprefix("node:")


class _Builder:
    def __init__(self, trace: Trace, origin: datetime) -> None:
        self.trace = trace
        self.origin = origin
        self.nodes: dict[str, Span] = {}
        self.units: dict[str, Span] = {}

    def seconds(self, when: datetime) -> float:
        return (when - self.origin).total_seconds()

    def node(self, node_id: str) -> Span:
        span = self.nodes.get(node_id)
        if span is None:
            span = self.trace.add_span(node_id, node_name(node_id), NODE)
            self.nodes[node_id] = span
        return span

    def unit(self, unit_id: str, node: Span | None, kind: str | None) -> Span:
        span = self.units.get(unit_id)
        if span is None:
            parent = node.index if node is not None else None
            span = self.trace.add_span(unit_id, kind or unit_id, UNIT, parent=parent)
            self.units[unit_id] = span
        if kind:
            span.attributes["unitKind"] = kind
            span.name = kind
        return span

    def place(self, event: dict[str, Any], etype: str) -> tuple[int | None, float]:
        """Update spans for one event of type ``etype``; returns the span it belongs to and
        its time."""
        time = self.seconds(parse_time(string(event, "ts"), "ts"))
        node_id = optional_string(event, "nodeId")
        unit_id = optional_string(event, "unitId")
        node = self.node(node_id) if node_id else None
        unit = self.unit(unit_id, node, optional_string(event, "unitKind")) if unit_id else None
        subject, _, verb = etype.rpartition(".")
        message = optional_string(event, "message")
        failed_level = str(event.get("level", "")).lower() in ("error", "fatal")
        if subject == "model.invocation":
            parent = unit or node
            slot = optional_string(event, "modelSlot") or "model"
            span = self.trace.add_span(
                f"{(unit_id or node_id or 'run')}/{slot}@{event.get('id', time)}",
                slot,
                MODEL_INVOCATION,
                parent=parent.index if parent else None,
                end=time,
                status=_ENDING.get(verb, Status.UNKNOWN),
                error=message if failed_level else None,
            )
            if verb == "started":
                span.start, span.end, span.status = time, None, Status.RUNNING
            span.attributes["modelSlot"] = slot
            return span.index, time
        target = unit if subject == "unit" and unit is not None else node
        if subject in ("node", "unit") and target is not None:
            if verb == "started":
                target.start = time
                target.status = Status.RUNNING
            elif verb in _ENDING:
                target.end = time
                if target.start is not None:
                    target.duration = time - target.start
                target.status = _ENDING[verb]
                if target.status.is_failure and message:
                    target.error = message
        elif failed_level and message and (unit or node) is not None:
            owner = unit or node
            assert owner is not None
            owner.attributes.setdefault("errors", []).append(message)
        owner = unit or node
        return (owner.index if owner is not None else None), time


def load_trace(record: dict[str, Any], source: str) -> Trace:
    """One GraphExecutionTrace."""
    created = optional_string(record, "createdAt")
    events = array(record, "events")
    origin = parse_time(created, "createdAt") if created else None
    if origin is None:
        first = next((e.get("ts") for e in events if isinstance(e, dict) and e.get("ts")), None)
        if not isinstance(first, str):
            raise RecordError("no 'createdAt' and no timed event to start the clock")
        origin = parse_time(first, "ts")
    trace = Trace(
        dialect=DIALECT,
        source=source,
        id=optional_string(record, "traceId"),
        name=_graph_name(record),
        started_at=origin,
        raw=record,
    )
    trace.attributes.update(extras(record, _HEADER_KEYS))
    trace.attributes["format"] = record.get("format")
    trace.attributes["jobId"] = record.get("jobId")
    recorded = optional_string(record, "status")
    trace.attributes["recorded_status"] = recorded
    builder = _Builder(trace, origin)
    executions = obj(record, "nodeExecutions")
    for node_id in executions:
        builder.node(node_id)
    # Each event is kept as its record; its attributes (the record less its time and type)
    # are made from it when read.
    columns = trace.events = EventColumns(derive=_event_attributes)
    code_of: dict[str, int] = {}
    for position, event in enumerate(events):
        try:
            if type(event) is not dict:
                raise RecordError("not an object")
            etype = event.get("type")
            if type(etype) is not str:
                etype = string(event, "type")
            span, time = builder.place(event, etype)
        except RecordError as exc:
            trace.warn(f"event {position}: {exc}, skipped")
            continue
        code = code_of.get(etype)
        if code is None:
            code = code_of[etype] = columns.code(etype.replace(".", "_"), etype)
        columns.push_record(time, code, span, event)
    _apply_executions(trace, builder, executions)
    completed = optional_string(record, "completedAt")
    if completed:
        try:
            trace.duration = builder.seconds(parse_time(completed, "completedAt"))
        except RecordError as exc:
            trace.warn(f"{exc}; duration taken from the events")
    trace.record_count = len(events)
    trace.status = _RUN_STATUS.get((recorded or "").lower(), Status.UNKNOWN)
    if trace.status is Status.UNKNOWN:
        trace.status = worst_status([s.status for s in trace.nodes()])
        if recorded:
            trace.attributes["status_text"] = recorded
    finish_duration(trace)
    return trace


def _event_attributes(record: dict[str, Any]) -> dict[str, Any]:
    """An event's attributes: its record less its time and type."""
    return {k: v for k, v in record.items() if k not in ("ts", "type")}


def _graph_name(record: dict[str, Any]) -> str | None:
    source = record.get("source")
    if isinstance(source, dict) and isinstance(source.get("graphId"), str):
        return str(source["graphId"]).removeprefix("graph:")
    return optional_string(record, "jobId")


def _apply_executions(trace: Trace, builder: _Builder, executions: dict[str, Any]) -> None:
    """Keep each ``nodeExecutions`` entry (shape undocumented) and use a status it states."""
    for node_id, execution in executions.items():
        span = builder.node(node_id)
        span.attributes["execution"] = execution
        if not isinstance(execution, dict):
            continue
        word = execution.get("status")
        if isinstance(word, str) and span.status in (Status.UNKNOWN, Status.RUNNING):
            status = _RUN_STATUS.get(word.lower())
            if status is not None:
                span.status = status
        error = execution.get("error")
        if span.error is None and error:
            span.error = error if isinstance(error, str) else str(error)
    for span in trace.spans:
        if span.kind in (NODE, UNIT) and span.status is Status.UNKNOWN and span.start is not None:
            span.status = Status.RUNNING
