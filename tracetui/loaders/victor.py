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
from tracetui.model import NODE, TOOL_CALL, Status, Trace
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
    if not isinstance(node, dict):
        raise RecordError("not an object")
    node_id = string(node, "node_id")
    start = epoch(node, "timestamp") - origin
    duration = number(node, "duration_seconds")
    status = _success(node)
    span = trace.add_span(
        occurrence_key(seen, node_id),
        node_id,
        NODE,
        start=start,
        end=start + duration,
        duration=duration,
        status=status,
        error=optional_string(node, "error"),
        inputs=node.get("inputs"),
        outputs=node.get("outputs"),
        raw=node,
    )
    span.attributes["node_type"] = node.get("node_type")
    if "metadata" in node:
        span.attributes["metadata"] = node["metadata"]
    span.attributes.update(extras(node, _NODE_KEYS))
    tools_seen: dict[str, int] = {}
    for position, call in enumerate(array(node, "tool_calls")):
        if not isinstance(call, dict):
            trace.warn(f"node {node_id!r} tool call {position}: not an object, skipped")
            continue
        try:
            tool = string(call, "tool_name")
            tool_duration = number(call, "duration_seconds")
            # Tool calls carry a timestamp only in the asdict form; it is taken after the call.
            stamp = optional_epoch(call, "timestamp")
            tool_end = stamp - origin if stamp is not None else None
            tool_start = tool_end - tool_duration if tool_end is not None else None
            trace.add_span(
                f"{span.key}/{occurrence_key(tools_seen, tool)}",
                tool,
                TOOL_CALL,
                parent=span.index,
                start=tool_start,
                end=tool_end,
                duration=tool_duration,
                status=_success(call),
                error=optional_string(call, "error"),
                inputs=call.get("inputs"),
                outputs=call.get("outputs"),
                attributes=extras(call, _TOOL_KEYS),
                raw=call,
            )
        except RecordError as exc:
            trace.warn(f"node {node_id!r} tool call {position}: {exc}, skipped")
