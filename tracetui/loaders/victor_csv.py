"""Victor ``WorkflowTracer`` CSV export: one row per node, naive local times."""

from __future__ import annotations

from datetime import datetime

from tracetui.errors import RecordError, TraceError
from tracetui.loaders.base import finish_duration, occurrence_key, worst_status
from tracetui.loaders.fields import MAX_SECONDS, record_label
from tracetui.model import NODE, Status, Trace
from tracetui.source import Document

DIALECT = "victor"
KINDS = frozenset({"csv"})
HEADER = [
    "node_id",
    "node_type",
    "timestamp",
    "duration_seconds",
    "success",
    "error",
    "tool_calls_count",
]


def detect(doc: Document) -> bool:
    """The exact header the tracer writes."""
    return doc.kind == "csv" and doc.header == HEADER


def _seconds(text: str, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise RecordError(f"'{key}' must be a number, got {text[:20]!r}") from None
    if not abs(value) <= MAX_SECONDS:
        raise RecordError(f"'{key}' is out of range: {text[:20]!r}")
    return value


def load(doc: Document) -> list[Trace]:
    """One trace: the CSV holds the nodes of a single run and no trace-level row."""
    if doc.header != HEADER:
        raise TraceError(f"expected the CSV header {','.join(HEADER)}", line=1)
    trace = Trace(dialect=DIALECT, source=doc.source, raw=doc.value)
    trace.attributes["format"] = "csv"
    trace.attributes["timezone"] = "unknown: the CSV holds naive local times"
    parsed: list[tuple[datetime, dict[str, str], int | None]] = []
    lines = doc.lines or []
    for position, row in enumerate(doc.value):
        line = lines[position] if position < len(lines) else None
        try:
            stamp = datetime.fromisoformat(row["timestamp"].strip())
        except ValueError:
            trace.warn(f"{record_label(position, line)}: 'timestamp' is not an ISO time, skipped")
            continue
        parsed.append((stamp, row, line))
    if not parsed:
        raise TraceError(trace.warnings[0] if trace.warnings else "no node rows")
    origin = min(stamp for stamp, _, _ in parsed)
    trace.started_at = origin  # naive: the producer's local time zone is not recorded
    seen: dict[str, int] = {}
    for position, (stamp, row, line) in enumerate(parsed):
        try:
            duration = _seconds(row["duration_seconds"], "duration_seconds")
            success = row["success"].strip()
            if success not in ("True", "False"):
                raise RecordError(f"'success' must be True or False, got {success[:20]!r}")
            start = (stamp - origin).total_seconds()
            node_id = row["node_id"]
            span = trace.add_span(
                occurrence_key(seen, node_id),
                node_id,
                NODE,
                start=start,
                end=start + duration,
                duration=duration,
                status=Status.OK if success == "True" else Status.FAILED,
                error=row["error"] or None,
                raw=row,
            )
            span.attributes["node_type"] = row["node_type"]
            span.attributes["tool_calls_count"] = int(row["tool_calls_count"] or 0)
            if line is not None:
                span.attributes["line"] = line
        except (RecordError, ValueError) as exc:
            trace.warn(f"{record_label(position, line)}: {exc}, skipped")
    trace.record_count = len(doc.value)
    trace.status = worst_status([s.status for s in trace.nodes()])
    finish_duration(trace)
    return [trace]
