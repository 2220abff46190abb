"""claude-flow (CFN) traces: in-memory dicts and rows of its ``execution_traces`` table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

from tracetui.errors import RecordError, TraceError
from tracetui.loaders.base import (
    finish_duration,
    holds,
    load_each,
    occurrence_key,
    worst_status,
)
from tracetui.loaders.fields import (
    MAX_SECONDS,
    extras,
    optional_string,
    optional_timestamp,
    record_label,
    string,
    timestamp,
)
from tracetui.model import NODE, Span, Status, Trace
from tracetui.source import Document

DIALECT = "cfn"
# The trace attribute that says how steps whose claimed durations did not fit were placed.
PLACEMENT_NOTE = "placement"
KINDS = frozenset({"json", "jsonl", "csv"})

_STATUS = {
    "success": Status.OK,
    "succeeded": Status.OK,
    "completed": Status.OK,
    "ok": Status.OK,
    "failed": Status.FAILED,
    "failure": Status.FAILED,
    "error": Status.FAILED,
    "timeout": Status.TIMED_OUT,
    "timed_out": Status.TIMED_OUT,
    "skipped": Status.SKIPPED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "running": Status.RUNNING,
    "cached": Status.CACHED,
}
# The columns of claude-flow's ``execution_traces`` table: the keys of one trace record.
TRACE_COLUMNS = frozenset(
    {
        "trace_id",
        "skill_name",
        "started_at",
        "completed_at",
        "total_duration_ms",
        "status",
        "steps",
        "error_message",
        "metadata",
    }
)
_STEP_KEYS = frozenset({"name", "timestamp", "duration_ms", "status", "error_message"})
_ROW_COLUMNS = frozenset({"completed_at", "total_duration_ms", "error_message"})


def is_trace(value: Any) -> bool:
    """A CFN trace: ``trace_id``, ``skill_name``, ``started_at`` and ``steps``."""
    return isinstance(value, dict) and {"trace_id", "skill_name", "steps"} <= value.keys()


def detect(doc: Document) -> bool:
    """A trace dict, an array or JSON lines of them, or the table exported as CSV."""
    if doc.kind == "csv":
        return doc.header is not None and {"trace_id", "skill_name", "steps"} <= set(doc.header)
    return holds(doc, is_trace)


def load(doc: Document) -> list[Trace]:
    """Every trace (row) in the document."""
    if doc.kind == "csv":
        return _load_csv(doc)
    return load_each(doc, is_trace, lambda record: load_trace(record, doc.source))


def _load_csv(doc: Document) -> list[Trace]:
    traces: list[Trace] = []
    problems: list[str] = []
    lines = doc.lines or []
    for position, row in enumerate(doc.value):
        label = record_label(position, lines[position] if position < len(lines) else None)
        try:
            record: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
            for key in ("steps", "metadata"):
                if isinstance(record.get(key), str):
                    record[key] = _json_cell(record[key], key)
            if isinstance(record.get("total_duration_ms"), str):
                record["total_duration_ms"] = _int_cell(record["total_duration_ms"])
            trace = load_trace(record, doc.source)
            trace.attributes["format"] = "table row (CSV)"
            traces.append(trace)
        except RecordError as exc:
            problems.append(f"{label}: {exc}, skipped")
    if not traces:
        raise TraceError(problems[0] if problems else "no rows")
    for trace in traces:
        trace.warnings.extend(problems)
    return traces


def _json_cell(text: str, key: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise RecordError(f"'{key}' cell is not JSON") from None


def _int_cell(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RecordError(f"'total_duration_ms' must be an integer, got {text[:20]!r}") from None


def _status(word: str | None) -> Status:
    if word is None:
        return Status.UNKNOWN
    found = _STATUS.get(word)  # as claude-flow writes them, mostly
    return found if found is not None else _STATUS.get(word.strip().lower(), Status.UNKNOWN)


def load_trace(record: dict[str, Any], source: str) -> Trace:
    """One trace dict or table row."""
    started = timestamp(record, "started_at")
    steps = record.get("steps")
    if isinstance(steps, str):
        steps = _json_cell(steps, "steps")
    if steps is None:
        steps = []
    if not isinstance(steps, list):
        raise RecordError("'steps' must be an array")
    metadata = record.get("metadata")
    if isinstance(metadata, str):
        metadata = _json_cell(metadata, "metadata")
    is_row = bool(_ROW_COLUMNS & record.keys())
    trace = Trace(
        dialect=DIALECT,
        source=source,
        id=optional_string(record, "trace_id"),
        name=optional_string(record, "skill_name"),
        started_at=started,
        raw=record,
    )
    trace.attributes["format"] = "table row" if is_row else "in-memory trace"
    trace.attributes["metadata"] = metadata if metadata is not None else {}
    recorded = optional_string(record, "status")
    trace.attributes["recorded_status"] = recorded
    completed = optional_timestamp(record, "completed_at")
    if completed is not None:
        trace.attributes["completed_at"] = completed.isoformat()
    if record.get("total_duration_ms") is not None:
        trace.attributes["total_duration_ms"] = record["total_duration_ms"]
    trace.attributes.update(extras(record, TRACE_COLUMNS))
    seen: dict[str, int] = {}
    # The run's start as a wall time and its offset from UTC, to place naive (UTC) step times
    # by exact arithmetic that cannot leave the calendar (year 1 at +05:00, say).
    clock = (started.replace(tzinfo=None), started.utcoffset() or timedelta(0))
    for position, step in enumerate(steps):
        try:
            _load_step(trace, step, started, clock, seen)
        except RecordError as exc:
            trace.warn(f"step {position}: {exc}, skipped")
    _place_in_sequence(trace)
    trace.record_count = len(steps)
    step_status = worst_status([s.status for s in trace.nodes()])
    if is_row:
        # The table's status column is the tracer's final_status argument.
        trace.status = _status(recorded)
    else:
        # In memory the status field says "running" forever; the steps tell what happened.
        trace.status = step_status if trace.spans else _status(recorded)
    message = optional_string(record, "error_message")
    trace.error = message or next(
        (s.error for s in trace.nodes() if s.status.is_failure and s.error), None
    )
    if completed is not None and completed >= started:
        # A table row's completed_at is when the row was written, the end of the run: the
        # run's wall time (total_duration_ms is only the steps' claimed durations summed).
        trace.duration = (completed - started).total_seconds()
    finish_duration(trace)
    return trace


def _place_in_sequence(trace: Trace) -> None:
    """Steps of one claude-flow trace run one after another, each stamped when recorded (its
    end). ``record_step()`` durations are claimed, not measured: where a step's claimed start
    falls before the run began or before the previous step ended, it is placed from there
    instead, keeps its claimed duration, and the trace says how many steps did not fit."""
    floor = 0.0
    moved = []
    for span in trace.spans:
        if span.start is None or span.end is None:
            continue
        if span.start < floor - 1e-9:
            span.attributes["claimed_start_s"] = span.start
            span.start = min(floor, span.end)
            moved.append(span.name)
        floor = max(floor, span.end)
    if moved:
        names = ", ".join(repr(n) for n in moved[:3]) + (" ..." if len(moved) > 3 else "")
        trace.attributes[PLACEMENT_NOTE] = (
            f"{len(moved)} step{'s' if len(moved) > 1 else ''} ({names}) claim more time than "
            "the record allows: claude-flow durations are claimed, not measured, so each is "
            "drawn from the end of the step before it (or the run's start), its claimed "
            "duration kept"
        )


def _load_step(
    trace: Trace,
    step: Any,
    started: datetime,
    clock: tuple[datetime, timedelta],
    seen: dict[str, int],
) -> None:
    """One step (``clock``: the run's start as a wall time and its UTC offset, for the naive
    UTC times claude-flow writes). The common case is read inline; anything else, and every
    error message, goes through the field readers."""
    if type(step) is not dict:
        raise RecordError("not an object")
    name = step.get("name")
    if type(name) is not str:
        name = string(step, "name")  # a subclass of str, or the error that says what it is
    text = step.get("timestamp")
    try:
        stamp = datetime.fromisoformat(text) if type(text) is str else None
    except ValueError:
        stamp = None
    if stamp is None:
        stamp = timestamp(step, "timestamp")
    millis = step.get("duration_ms")
    if isinstance(millis, bool) or not isinstance(millis, int | float):
        raise RecordError("'duration_ms' must be a number")
    duration = millis / 1000.0
    if not abs(duration) <= MAX_SECONDS:
        raise RecordError(f"'duration_ms' is out of range: {millis!r}")
    # A step is stamped when it is recorded (its end); its start is its duration before.
    if stamp.tzinfo is None:  # UTC: the wall-time difference, corrected by the start's offset
        end = (stamp - clock[0] + clock[1]).total_seconds()
    else:
        end = (stamp - started).total_seconds()
    word = optional_string(step, "status")
    error = optional_string(step, "error_message")
    attributes: dict[str, Any] = {"status_text": word}
    if not step.keys() <= _STEP_KEYS:
        attributes.update(extras(step, _STEP_KEYS))
    spans = trace.spans
    spans.append(
        Span(
            len(spans),
            occurrence_key(seen, name),
            name,
            NODE,
            None,
            end - duration,
            end,
            duration,
            _status(word),
            error,
            None,
            None,
            attributes,
            step,
        )
    )
