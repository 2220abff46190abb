"""Victor ``WorkflowTracer`` JSON export and its ``dataclasses.asdict`` form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tracetui.errors import RecordError
from tracetui.loaders.base import (
    finish_duration,
    holds,
    load_each,
    occurrence_key,
    worst_status,
)
from tracetui.loaders.fields import (
    array,
    epoch,
    extras,
    number,
    obj,
    optional_epoch,
    optional_number,
    optional_string,
    string,
)
from tracetui.model import NODE, TOOL_CALL, Span, Status, Trace
from tracetui.source import Document

DIALECT = "victor"
KINDS = frozenset({"json", "jsonl"})

_TRACE_KEYS = frozenset(
    {
        "trace_id",
        "workflow_name",
        "start_time",
        "end_time",
        "duration_seconds",
        "inputs",
        "outputs",
        "metadata",
        "nodes",
    }
)
_NODE_KEYS = frozenset(
    {
        "node_id",
        "node_type",
        "timestamp",
        "duration_seconds",
        "success",
        "error",
        "inputs",
        "outputs",
        "tool_calls",
        "metadata",
    }
)
_TOOL_KEYS = frozenset(
    {"tool_name", "duration_seconds", "success", "error", "inputs", "outputs", "timestamp"}
)


def is_trace(value: Any) -> bool:
    """A WorkflowTracer trace object: ``trace_id``, ``workflow_name`` and ``nodes``."""
    return (
        isinstance(value, dict)
        and "trace_id" in value
        and "workflow_name" in value
        and "nodes" in value
    )


def detect(doc: Document) -> bool:
    """One trace object, or an array / JSON lines of them (a trace history)."""
    return holds(doc, is_trace)


def load(doc: Document) -> list[Trace]:
    """Every trace in the document."""
    return load_each(doc, is_trace, lambda record: load_trace(record, doc.source))


def _success(record: dict[str, Any]) -> Status:
    value = record.get("success")
    if value is True:
        return Status.OK
    if value is False:
        return Status.FAILED
    if value is None:
        return Status.UNKNOWN
    raise RecordError(f"'success' must be true or false, got {value!r}")


def load_trace(record: dict[str, Any], source: str) -> Trace:
    """One WorkflowTracer trace."""
    start = epoch(record, "start_time")
    end = optional_epoch(record, "end_time")
    trace = Trace(
        dialect=DIALECT,
        source=source,
        id=optional_string(record, "trace_id"),
        name=optional_string(record, "workflow_name"),
        started_at=datetime.fromtimestamp(start, UTC),
        raw=record,
    )
    trace.attributes["format"] = "asdict" if "duration_seconds" not in record else "export"
    trace.attributes["inputs"] = record.get("inputs")
    trace.attributes["outputs"] = record.get("outputs")
    trace.attributes["metadata"] = obj(record, "metadata")
    trace.attributes.update(extras(record, _TRACE_KEYS))
    reported = optional_number(record, "duration_seconds")
    trace.duration = reported if reported is not None else (end - start if end else None)
    trace.attributes["end_time"] = end
    seen: dict[str, int] = {}
    for position, node in enumerate(array(record, "nodes")):
        try:
            _load_node(trace, node, start, seen)
        except RecordError as exc:
            trace.warn(f"node {position}: {exc}, skipped")
    trace.record_count = len(array(record, "nodes"))
    if end is None:
        trace.status = Status.RUNNING
    else:
        trace.status = worst_status([s.status for s in trace.nodes()])
    finish_duration(trace)
    return trace


def _load_node(trace: Trace, node: Any, origin: float, seen: dict[str, int]) -> None:
    """One node and its tool calls, each built by position (the hot path of a big trace)."""
    if type(node) is not dict:
        raise RecordError("not an object")
    node_id = string(node, "node_id")
    stamp = epoch(node, "timestamp")
    duration = number(node, "duration_seconds")
    status = _success(node)
    error = optional_string(node, "error")
    calls = node.get("tool_calls")
    if calls is not None and type(calls) is not list:
        try:
            calls = array(node, "tool_calls")
        except RecordError as exc:  # the node is still shown; its calls cannot be
            trace.warn(f"node {node_id!r}: {exc}; its tool calls skipped")
            calls = None
    attributes = {"node_type": node.get("node_type")}
    if "metadata" in node:
        attributes["metadata"] = node["metadata"]
    if not node.keys() <= _NODE_KEYS:
        attributes.update(extras(node, _NODE_KEYS))
    start = stamp - origin
    spans = trace.spans
    index = len(spans)
    span = Span(
        index,
        occurrence_key(seen, node_id),
        node_id,
        NODE,
        None,
        start,
        start + duration,
        duration,
        status,
        error,
        node.get("inputs"),
        node.get("outputs"),
        attributes,
        node,
    )
    spans.append(span)
    if calls:
        children = _load_tool_calls(trace, span, calls, origin)
        if children:  # a span without children keeps the shared empty tuple
            span.children = children


def _load_tool_calls(trace: Trace, node: Span, calls: list[Any], origin: float) -> list[int]:
    """A node's tool calls, as its children (their indices)."""
    spans = trace.spans
    children: list[int] = []
    seen: dict[str, int] = {}
    for position, call in enumerate(calls):
        if type(call) is not dict:
            trace.warn(f"node {node.name!r} tool call {position}: not an object, skipped")
            continue
        try:
            tool = string(call, "tool_name")
            duration = number(call, "duration_seconds")
            # Tool calls carry a timestamp only in the asdict form; it is taken after the call.
            stamp = optional_epoch(call, "timestamp")
            end = stamp - origin if stamp is not None else None
            error = optional_string(call, "error")
            status = _success(call)
            index = len(spans)
            spans.append(
                Span(
                    index,
                    f"{node.key}/{occurrence_key(seen, tool)}",
                    tool,
                    TOOL_CALL,
                    node.index,
                    end - duration if end is not None else None,
                    end,
                    duration,
                    status,
                    error,
                    call.get("inputs"),
                    call.get("outputs"),
                    {} if call.keys() <= _TOOL_KEYS else extras(call, _TOOL_KEYS),
                    call,
                )
            )
            children.append(index)
        except RecordError as exc:
            trace.warn(f"node {node.name!r} tool call {position}: {exc}, skipped")
    return children
