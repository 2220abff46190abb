"""Chrome Trace Event Format, including dagron's ``to_chrome_trace()`` export."""

from __future__ import annotations

from typing import Any

from tracetui.errors import RecordError, TraceError
from tracetui.formats.json_text import dumps
from tracetui.loaders.base import dedupe_keys, finish_duration, sample, worst_status
from tracetui.loaders.fields import extras, number, obj, optional_number, record_label
from tracetui.model import NODE, RUN, EventColumns, Span, Status, Trace
from tracetui.source import Document

DIALECT = "chrome"
KINDS = frozenset({"json", "jsonl"})

US = 1e-6
# Times and durations in microseconds beyond this are not real measurements.
_MAX_TS = 1e18
_SPAN_PHASES = frozenset({"B", "E", "X"})
_KNOWN_KEYS = frozenset({"name", "cat", "ph", "ts", "dur", "pid", "tid", "args"})
_PHASE_KIND = {
    "B": "span_begin",
    "E": "span_end",
    "X": "span_complete",
    "i": "instant",
    "I": "instant",
    "n": "async_instant",
    "b": "async_begin",
    "e": "async_end",
    "S": "async_begin",
    "F": "async_end",
    "T": "async_step",
    "C": "counter",
    "M": "metadata",
    "s": "flow_start",
    "t": "flow_step",
    "f": "flow_end",
    "N": "object_created",
    "O": "object_snapshot",
    "D": "object_destroyed",
    "P": "sample",
    "R": "mark",
    "c": "clock_sync",
}
# Status words seen in args.status; dagron writes its event type there.
_STATUS_WORDS = {
    "node_completed": Status.OK,
    "node_failed": Status.FAILED,
    "node_timed_out": Status.TIMED_OUT,
    "ok": Status.OK,
    "success": Status.OK,
    "succeeded": Status.OK,
    "completed": Status.OK,
    "error": Status.FAILED,
    "failed": Status.FAILED,
    "failure": Status.FAILED,
    "timeout": Status.TIMED_OUT,
    "timed_out": Status.TIMED_OUT,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "skipped": Status.SKIPPED,
    "cached": Status.CACHED,
}


def _events_of(value: Any) -> list[Any] | None:
    if isinstance(value, dict) and isinstance(value.get("traceEvents"), list):
        return list(value["traceEvents"])
    if isinstance(value, list):
        return value
    return None


def detect(doc: Document) -> bool:
    """``{"traceEvents": [...]}`` or a bare array of objects with a phase ``ph``."""
    if isinstance(doc.value, dict):
        return isinstance(doc.value.get("traceEvents"), list)
    events = _events_of(doc.value)
    if not events:
        return False
    return all(isinstance(e, dict) and isinstance(e.get("ph"), str) for e in sample(events))


def _is_dagron(events: list[Any]) -> bool:
    return bool(events) and all(
        isinstance(e, dict) and e.get("cat") in ("execution", "node") and e.get("pid") == 1
        for e in events
    )


def _status_of(args: dict[str, Any]) -> Status | None:
    word = args.get("status")
    if isinstance(word, str):
        return _STATUS_WORDS.get(word.lower(), Status.UNKNOWN)
    if args.get("error"):
        return Status.FAILED
    return None


class _Lanes:
    """Open B slices per (pid, tid) lane, and the spans each lane holds."""

    def __init__(self) -> None:
        self.open: dict[tuple[Any, Any], list[Span]] = {}
        self.spans: dict[tuple[Any, Any], list[Span]] = {}


def load(doc: Document) -> list[Trace]:
    """One trace from the Chrome events."""
    events = _events_of(doc.value)
    if events is None:
        raise TraceError('expected {"traceEvents": [...]} or an array of events')
    container = doc.value if isinstance(doc.value, dict) else {}
    dagron = _is_dagron(events)
    trace = Trace(dialect=DIALECT, source=doc.source, raw=doc.value)
    trace.attributes["producer"] = "dagron" if dagron else "unknown"
    trace.attributes.update({k: v for k, v in container.items() if k != "traceEvents"})
    origin = 0.0 if dagron else _origin(events)
    if origin:
        trace.attributes["ts_origin_us"] = origin
    lanes = _Lanes()
    names: dict[str, dict[Any, Any]] = {"process_name": {}, "thread_name": {}}
    asyncs: dict[tuple[str, str, str], Span] = {}
    skipped = 0
    lines = doc.lines if doc.kind == "jsonl" else None
    # Each event is kept as its record; its attributes are made from it when read.
    columns = trace.events = EventColumns(derive=_event_attributes)
    code_of: dict[tuple[str, str], int] = {}
    for position, event in enumerate(events):
        try:
            time, kind, owner = _place(trace, event, origin, dagron, lanes, names, asyncs)
        except RecordError as exc:
            skipped += 1
            if skipped <= 20:
                label = record_label(position, lines[position] if lines else None)
                trace.warn(f"{label}: {exc}, skipped")
            continue
        pair = (kind, event["ph"])
        code = code_of.get(pair)
        if code is None:
            code = code_of[pair] = columns.code(*pair)
        columns.push_record(time, code, owner, event)
    if skipped > 20:
        trace.warn(f"{skipped - 20} more malformed events skipped")
    if not trace.events:
        raise TraceError(trace.warnings[0] if trace.warnings else "no trace events")
    _nest(trace, lanes)
    dedupe_keys(trace)
    for key, mapping in names.items():
        if mapping:
            trace.attributes[key] = {str(k): v for k, v in mapping.items()}
    thread_names = names["thread_name"]
    for span in trace.spans:
        lane = span.attributes.get("tid")
        if lane in thread_names:
            span.attributes["thread"] = thread_names[lane]
    trace.record_count = len(trace.events)
    statuses = [s.status for s in trace.spans if s.kind == NODE]
    run = next((s for s in trace.spans if s.kind == RUN), None)
    if run is not None and run.status is Status.RUNNING:
        trace.status = Status.RUNNING
    else:
        trace.status = worst_status(statuses)
    finish_duration(trace)
    return [trace]


def _origin(events: list[Any]) -> float:
    times = [
        e["ts"]
        for e in events
        if isinstance(e, dict)
        and e.get("ph") != "M"
        and isinstance(e.get("ts"), int | float)
        and not isinstance(e.get("ts"), bool)
    ]
    return float(min(times)) if times else 0.0


def _lane_id(event: dict[str, Any], key: str) -> str | int | float | None:
    """A process or thread id: a number or a string (anything else is malformed)."""
    value = event.get(key)
    if value is None or isinstance(value, str | int | float):
        return value
    raise RecordError(f"'{key}' must be a number or a string, got {type(value).__name__}")


def _async_key(event: dict[str, Any], name: str) -> tuple[str, str, str]:
    """What pairs an async begin with its end: category, id (``id2`` is an object in the
    format's newer form) and name, as text so that any JSON value can take part."""
    ident = event.get("id", event.get("id2"))
    return (_text_key(event.get("cat")), _text_key(ident), name)


def _text_key(value: Any) -> str:
    if isinstance(value, str):
        return value
    return dumps(value).rstrip("\n")


def _place(
    trace: Trace,
    event: Any,
    origin: float,
    dagron: bool,
    lanes: _Lanes,
    names: dict[str, dict[Any, Any]],
    asyncs: dict[tuple[str, str, str], Span],
) -> tuple[float | None, str, int | None]:
    """Update spans for one event; returns its time, its kind and the span it belongs to.
    Fields of the usual type are read inline, anything else by ``fields`` (which says what
    is wrong)."""
    if type(event) is not dict:
        raise RecordError("not an object")
    phase = event.get("ph")
    if type(phase) is not str:
        raise RecordError("'ph' must be a string")
    args = obj(event, "args")
    name = _name_of(event)
    pid, tid = _lane_id(event, "pid"), _lane_id(event, "tid")
    lane = (pid, tid)
    if phase == "M":
        if name in names and "name" in args:
            names[name][tid if name == "thread_name" else pid] = args["name"]
        return None, "metadata", None
    attributes = {} if event.keys() <= _KNOWN_KEYS else extras(event, _KNOWN_KEYS)
    time = (number(event, "ts", limit=_MAX_TS) - origin) * US
    kind = _PHASE_KIND.get(phase, "unknown")
    span: Span | None = None
    spans = trace.spans
    if phase == "B":
        span = Span(
            len(spans),
            name,
            name,
            RUN if dagron and event.get("cat") == "execution" else NODE,
            None,
            time,
            None,
            None,
            Status.RUNNING,
            None,
            None,
            None,
            _span_attributes(event, attributes),
            [event],
        )
        spans.append(span)
        lanes.open.setdefault(lane, []).append(span)
        lanes.spans.setdefault(lane, []).append(span)
        if dagron and span.kind == NODE:
            kind = "node_started"
    elif phase == "E":
        span = _close(trace, lanes, lane, name, event, time, args, dagron)
        if dagron and isinstance(args.get("status"), str):
            kind = args["status"]
    elif phase == "X":
        duration = (optional_number(event, "dur", limit=_MAX_TS) or 0.0) * US
        span = Span(
            len(spans),
            name,
            name,
            NODE,
            None,
            time,
            time + duration,
            duration,
            _status_of(args) or Status.OK,
            _error_of(args),
            None,
            None,
            _span_attributes(event, attributes),
            [event],
        )
        spans.append(span)
        lanes.spans.setdefault(lane, []).append(span)
    elif phase in ("b", "S"):
        key = _async_key(event, name)
        span = trace.add_span(
            name,
            name,
            NODE,
            start=time,
            status=Status.RUNNING,
            attributes={**_span_attributes(event, attributes), "async": True},
        )
        span.raw = [event]
        asyncs[key] = span
    elif phase in ("e", "F"):
        key = _async_key(event, name)
        span = asyncs.pop(key, None)
        if span is not None:
            span.end = time
            span.duration = time - (span.start or time)
            span.status = _status_of(args) or Status.OK
            span.error = _error_of(args) or span.error
            span.raw.append(event)
    else:
        open_slices = lanes.open.get(lane)
        span = open_slices[-1] if open_slices else None
    return time, kind, span.index if span is not None else None


def _name_of(event: dict[str, Any]) -> str:
    """An event's name as text ("" when it has none)."""
    name = event.get("name")
    return name if type(name) is str else ("" if name is None else str(name))


def _event_attributes(event: dict[str, Any]) -> dict[str, Any]:
    """What an event says beyond its phase, time and lane: its name, its args and any keys of
    its own (a metadata event: its name and its args' fields)."""
    name = _name_of(event)
    args = event.get("args") or {}
    if event.get("ph") == "M":
        return {"name": name, **args}
    result: dict[str, Any] = {"name": name}
    if args:
        result["args"] = args
    result.update(extras(event, _KNOWN_KEYS))
    return result


def _span_attributes(event: dict[str, Any], attributes: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"pid": event.get("pid"), "tid": event.get("tid")}
    if "cat" in event:
        result["cat"] = event["cat"]
    args = event.get("args")
    if isinstance(args, dict) and args:
        result["args"] = args
    result.update(attributes)
    return result


def _error_of(args: dict[str, Any]) -> str | None:
    error = args.get("error")
    if error is None:
        return None
    return error if isinstance(error, str) else str(error)


def _close(
    trace: Trace,
    lanes: _Lanes,
    lane: tuple[Any, Any],
    name: str,
    event: dict[str, Any],
    time: float,
    args: dict[str, Any],
    dagron: bool,
) -> Span:
    open_slices = lanes.open.get(lane, [])
    match = None
    if open_slices:
        if not name or open_slices[-1].name == name:
            match = open_slices.pop()
        else:
            for i in range(len(open_slices) - 1, -1, -1):
                if open_slices[i].name == name:
                    match = open_slices.pop(i)
                    break
    status = _status_of(args) or Status.OK
    if match is None:
        # A lone E (dagron writes these for orphan completions): keep it as a span of unknown start.
        match = trace.add_span(
            name,
            name,
            RUN if dagron and event.get("cat") == "execution" else NODE,
            status=status,
            attributes={**_span_attributes(event, {}), "orphan": "E without B"},
        )
        match.raw = []
        lanes.spans.setdefault(lane, []).append(match)
    match.end = time
    if match.start is not None:
        match.duration = time - match.start
    match.status = status
    match.error = _error_of(args)
    if args:
        match.attributes.setdefault("args", {}).update(args)
    match.raw.append(event)
    return match


def _nest(trace: Trace, lanes: _Lanes) -> None:
    """Make each slice a child of the slice that encloses it on the same lane."""
    for spans in lanes.spans.values():
        timed = [s for s in spans if s.start is not None]
        timed.sort(key=lambda s: (s.start, -(s.end if s.end is not None else float("inf"))))
        stack: list[Span] = []
        for span in timed:
            start = span.start if span.start is not None else 0.0
            while stack:
                top = stack[-1]
                top_end = top.end if top.end is not None else float("inf")
                if start >= top_end:
                    stack.pop()
                    continue
                break
            if stack and stack[-1].kind != RUN:
                parent = stack[-1]
                span.parent = parent.index
                trace.adopt(parent.index, span.index)
            stack.append(span)
