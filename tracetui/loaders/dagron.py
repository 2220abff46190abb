"""dagron ``ExecutionTrace.to_json()``: an array of events with relative timestamps."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from tracetui.errors import RecordError, TraceError
from tracetui.loaders.base import finish_duration, gate_outcome, roll_up, sample, worst_status
from tracetui.loaders.fields import (
    MAX_SECONDS,
    number,
    obj,
    optional_number,
    optional_string,
    record_label,
)
from tracetui.model import (
    GATE,
    NODE,
    RESOURCE,
    STEP,
    EventColumns,
    Span,
    Status,
    StoredAttributes,
    Trace,
)
from tracetui.source import Document, PieceError, Progress, array_pieces

DIALECT = "dagron"
KINDS = frozenset({"json", "jsonl"})
_TYPED_MODULE = "tracetui.loaders.dagron_typed"

EVENT_TYPES = frozenset(
    {
        "execution_started",
        "step_started",
        "node_started",
        "node_completed",
        "node_failed",
        "node_skipped",
        "node_timed_out",
        "node_cancelled",
        "step_completed",
        "execution_completed",
        "node_gate_waiting",
        "node_gate_resolved",
        "resource_acquired",
        "resource_released",
        "node_cache_hit",
        "node_cache_miss",
    }
)

# dagron's event type -> the model's normalized event kind.
KIND_OF = {
    "execution_started": "run_started",
    "execution_completed": "run_completed",
    "step_started": "step_started",
    "step_completed": "step_completed",
    "node_started": "node_started",
    "node_completed": "node_completed",
    "node_failed": "node_failed",
    "node_skipped": "node_skipped",
    "node_timed_out": "node_timed_out",
    "node_cancelled": "node_cancelled",
    "node_gate_waiting": "gate_waiting",
    "node_gate_resolved": "gate_resolved",
    "resource_acquired": "resource_acquired",
    "resource_released": "resource_released",
    "node_cache_hit": "cache_hit",
    "node_cache_miss": "cache_miss",
}

_ENDINGS = {
    "node_completed": Status.OK,
    "node_failed": Status.FAILED,
    "node_timed_out": Status.TIMED_OUT,
}
_INSTANT_ENDINGS = {
    "node_skipped": Status.SKIPPED,
    "node_cancelled": Status.CANCELLED,
    "node_cache_hit": Status.CACHED,
}
# What an event's attributes leave out: the fields the event itself already says.
_HEADER_KEYS = frozenset({"event_type", "timestamp", "node_name"})


def detect(doc: Document) -> bool:
    """An array of objects with ``event_type`` (some of dagron's) and ``timestamp``."""
    if not isinstance(doc.value, list) or not doc.value:
        return False
    head = sample(doc.value)
    shaped = all(
        isinstance(e, dict) and isinstance(e.get("event_type"), str) and "timestamp" in e
        for e in head
    )
    # One known type is enough: a newer dagron may add types, which validate reports.
    return shaped and any(e["event_type"] in EVENT_TYPES for e in head)


class _Builder:
    """Folds the event stream into spans, one per node (a re-run node gets ``name#2``)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.node_of: dict[str, Span] = {}
        self.runs_of: dict[str, int] = {}
        self.step_of: dict[int, Span] = {}
        self.open_step: Span | None = None
        self.held: dict[str, Span] = {}  # node name -> open resource span
        self.gated: dict[str, Span] = {}  # node name -> open gate span

    def node(self, name: str, time: float, *, starting: bool = False) -> Span:
        span = self.node_of.get(name)
        if span is not None and not starting:
            return span
        ended = span is not None and span.status not in (Status.RUNNING, Status.UNKNOWN)
        if span is None or ended:
            runs = self.runs_of.get(name, 0) + 1
            self.runs_of[name] = runs
            key = name if runs == 1 else f"{name}#{runs}"
            parent = self.open_step.index if self.open_step is not None else None
            span = self.trace.add_span(key, name, NODE, parent=parent, status=Status.UNKNOWN)
            if runs > 1:
                span.attributes["run"] = runs
            self.node_of[name] = span
        return span

    def apply(self, event: dict[str, Any], time: float, etype: str) -> int | None:
        """Update spans for one event; returns the span the event belongs to."""
        name = event.get("node_name")
        if name is not None and type(name) is not str:
            name = optional_string(event, "node_name")
        if etype in ("step_started", "step_completed"):
            return self._step(event, time, etype)
        if name is None:
            if etype.startswith(("node_", "resource_")):
                raise RecordError(f"'{etype}' without 'node_name'")
            return None
        if etype == "node_started":
            span = self.node(name, time, starting=True)
            span.start = time
            span.status = Status.RUNNING
            return span.index
        span = self.node(name, time)
        if etype in _ENDINGS:
            self._end(span, event, time, _ENDINGS[etype])
        elif etype in _INSTANT_ENDINGS:
            if span.start is None:
                span.start = time
            span.end = time
            span.status = _INSTANT_ENDINGS[etype]
            if etype == "node_cache_hit":
                span.duration = 0.0
                span.attributes["cache"] = "hit"
                span.attributes.update(obj(event, "metadata"))
        elif etype == "node_cache_miss":
            span.attributes["cache"] = "miss"
        elif etype == "resource_acquired":
            resources = obj(event, "metadata").get("resources", {})
            hold = self.trace.add_span(
                f"{span.key}/resources",
                "resources",
                RESOURCE,
                parent=span.index,
                start=time,
                status=Status.RUNNING,
                attributes={"resources": resources},
            )
            self.held[name] = hold
        elif etype == "resource_released":
            released: Span | None = self.held.pop(name, None)
            if released is None:
                resources = obj(event, "metadata").get("resources", {})
                released = self.trace.add_span(
                    f"{span.key}/resources",
                    "resources",
                    RESOURCE,
                    parent=span.index,
                    attributes={"resources": resources, "orphan": "released without acquired"},
                )
            released.end = time
            released.status = Status.OK
            if released.start is not None:
                released.duration = time - released.start
        elif etype == "node_gate_waiting":
            self.gated[name] = self.trace.add_span(
                f"{span.key}/gate",
                "gate",
                GATE,
                parent=span.index,
                start=time,
                status=Status.RUNNING,
                attributes=obj(event, "metadata"),
            )
        elif etype == "node_gate_resolved":
            gate = self.gated.pop(name, None)
            if gate is None:
                gate = self.trace.add_span(
                    f"{span.key}/gate",
                    "gate",
                    GATE,
                    parent=span.index,
                    attributes={"orphan": "resolved without waiting"},
                )
            gate.end = time
            metadata = obj(event, "metadata")
            gate.attributes.update(metadata)
            gate.status, gate.error = gate_outcome(metadata)
            if gate.start is not None:
                gate.duration = time - gate.start
        return span.index

    def _end(self, span: Span, event: dict[str, Any], time: float, status: Status) -> None:
        duration = event.get("duration")
        if duration is not None and (
            type(duration) is not float or not 0 <= duration < MAX_SECONDS
        ):
            duration = optional_number(event, "duration")
        span.end = time
        span.duration = duration
        span.status = status
        if status is Status.FAILED:
            span.error = optional_string(event, "error")
        if span.start is None:
            # An orphan completion (checkpoint resume, manual record): place it by its run time.
            span.start = time - duration if duration is not None else time
            span.attributes["orphan"] = f"{event.get('event_type')} without node_started"

    def _step(self, event: dict[str, Any], time: float, etype: str) -> int:
        value = event.get("step_index")
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError("'step_index' must be an integer")
        step = self.step_of.get(value)
        if step is None:
            step = self.trace.add_span(
                f"step:{value}", f"step {value}", STEP, status=Status.RUNNING
            )
            step.attributes["step_index"] = value
            self.step_of[value] = step
        if etype == "step_started":
            step.start = time
            self.open_step = step
        else:
            step.end = time
            step.status = Status.OK
            if step.start is not None:
                step.duration = time - step.start
            if self.open_step is step:
                self.open_step = None
        return step.index


def load(doc: Document) -> list[Trace]:
    """One trace from the event array (or JSON lines of events, some of which follow mode may
    have decoded as typed events: ``dagron_typed.decode_line``)."""
    values = doc.value if isinstance(doc.value, list) else [doc.value]
    return load_batches(doc.source, [values], doc.lines, lines_format=doc.kind == "jsonl")


def load_array(source: str, data: bytes, progress: Progress | None = None) -> list[Trace]:
    """One trace from a big event array, decoded a few megabytes at a time into typed events
    (``dagron_typed``), each piece dropped once it is in the model. Raises ``PieceError``
    when the array cannot be cut (then the whole file is read the usual way)."""
    from tracetui.loaders.dagron_typed import decode_piece  # msgspec: only for big arrays

    pieces = array_pieces(data, progress=progress, decode=decode_piece)
    if pieces is None:
        raise PieceError
    return load_batches(source, pieces)


def load_batches(
    source: str,
    batches: Iterable[list[Any]],
    lines: list[int] | None = None,
    *,
    lines_format: bool = False,
) -> list[Trace]:
    """One trace from the event array given in consecutive pieces (a big file is parsed in
    pieces so that what is parsed can be dropped once it is in the model). An event may be a
    plain dict or a typed event (``dagron_typed``), wherever one was decoded."""
    trace = Trace(dialect=DIALECT, source=source)
    trace.events = EventColumns(_rebuild(trace))
    trace.attributes["format"] = "events (JSON lines)" if lines_format else "events"
    builder = _Builder(trace)
    skipped = 0
    # The hot loop of a million-node file: locals instead of attribute look-ups, and the
    # checks of ``number`` only when the value is not already a plain float in range.
    columns = trace.events
    times = columns.times.append
    codes = columns.codes.append
    owners = columns.spans.append
    stored = columns.attributes.append
    follows = columns.next_in_span.append
    link = columns.link
    spans = trace.spans
    apply = builder.apply
    adopt = trace.adopt
    node_of = builder.node_of
    OK = Status.OK  # noqa: N806 - a local for the hot loop
    code_of = {etype: columns.code(kind, etype) for etype, kind in KIND_OF.items()}
    started_code = code_of["node_started"]
    FAILED = Status.FAILED  # noqa: N806 - a local for the hot loop
    next_in_span = columns.next_in_span
    last_in_span = columns.last_in_span
    header = _HEADER_KEYS
    # The typed path: events decoded by msgspec, their types and ranges already checked. A
    # typed event exists only once its module is imported; until then every event is plain.
    typed_event: Any = _NotDecoded
    unset: Any = _NotDecoded
    as_record: Callable[[Any], dict[str, Any]] = dict
    dagron_typed = sys.modules.get(_TYPED_MODULE)
    if dagron_typed is not None:
        typed_event, unset, as_record = (
            dagron_typed.DagronEvent,
            dagron_typed.UNSET,
            dagron_typed.as_record,
        )
    runs_of = builder.runs_of
    RUNNING = Status.RUNNING  # noqa: N806 - a local for the hot loop
    position = -1
    count = 0  # events in the columns
    first_in_span = columns.first_in_span
    for batch in batches:
        # Room for every span this batch can make (an event makes at most two).
        columns.reserve(len(spans) + 2 * len(batch) + 2)
        for event in batch:
            position += 1
            span: int | None
            attributes: StoredAttributes = None
            if type(event) is typed_event:
                etype = event.event_type
                time = event.timestamp
                name = event.node_name
                duration = event.duration
                error = event.error
                bare = event.step_index is unset and event.metadata is unset
                if (
                    etype == "node_started"
                    and bare
                    and error is unset
                    and duration is unset
                    and name is not unset
                    and name not in node_of
                ):
                    # A node's first start (its name a string: decoding checked it), listed
                    # last among its step's children, its first event this one.
                    span = len(spans)
                    node = Span(span, name, name, NODE, None, time, None, None, RUNNING)
                    spans.append(node)
                    step = builder.open_step
                    if step is not None:
                        node.parent = step.index
                        children = step.children
                        if type(children) is list:
                            children.append(span)
                        else:
                            adopt(step.index, span)
                    node_of[name] = node
                    runs_of[name] = 1
                    times(time)
                    codes(started_code)
                    stored(None)
                    follows(-1)
                    owners(span)
                    first_in_span[span] = last_in_span[span] = count
                    count += 1
                    continue
                outcome = _ENDINGS.get(etype)
                if (
                    outcome is not None
                    and bare
                    and duration is not unset
                    and (ending := node_of.get(name)) is not None
                    and ending.start is not None
                ):
                    # A started node completing, failing or timing out (as ``_end``): its
                    # chain of events has a last one.
                    ending.end = time
                    ending.duration = duration
                    ending.status = outcome
                    if outcome is FAILED:
                        ending.error = None if error is unset else error
                    span = ending.index
                    times(time)
                    codes(code_of[etype])
                    stored(duration if error is unset else {"duration": duration, "error": error})
                    follows(-1)
                    owners(span)
                    next_in_span[last_in_span[span]] = count
                    last_in_span[span] = count
                    count += 1
                    continue
                event = as_record(event)  # noqa: PLW2901 - the general path reads dicts
            try:
                if type(event) is not dict:
                    raise RecordError("not an object")
                etype = event.get("event_type")
                if type(etype) is not str:
                    raise RecordError("'event_type' must be a string")
                time = event.get("timestamp")
                if type(time) is not float or not -MAX_SECONDS <= time <= MAX_SECONDS:
                    time = number(event, "timestamp")
                # Half of all events: a started node completing with a plain duration.
                name = event.get("node_name")
                ending = (
                    node_of.get(name) if etype == "node_completed" and type(name) is str else None
                )
                duration = event.get("duration")
                if (
                    ending is not None
                    and ending.start is not None
                    and type(duration) is float
                    and 0 <= duration < MAX_SECONDS
                ):
                    ending.end = time
                    ending.duration = duration
                    ending.status = OK
                    span = ending.index
                else:
                    span = apply(event, time, etype)
            except RecordError as exc:
                skipped += 1
                if skipped <= 20:
                    line = lines[position] if lines else None
                    trace.warn(f"{record_label(position, line)}: {exc}, skipped")
                continue
            # The record is rebuilt from the columns: type, time, the node's name, the rest.
            named = span is not None and name == spans[span].name
            size = len(event) - 2 - named
            if size == 1 and type(duration) is float:
                attributes = duration
            elif size:
                attributes = {
                    k: v
                    for k, v in event.items()
                    if k not in header or (k == "node_name" and not named)
                }
            code = code_of.get(etype)
            if code is None:
                code = code_of[etype] = columns.code("unknown", etype)
            times(time)
            codes(code)
            stored(attributes)
            follows(-1)
            if span is None:
                owners(-1)
            else:
                owners(span)
                link(span, count)
            count += 1
    # The room reserved for spans that were never made, given back.
    del first_in_span[len(spans) :]
    del last_in_span[len(spans) :]
    if skipped > 20:
        trace.warn(f"{skipped - 20} more malformed records skipped")
    if not columns:
        raise TraceError(trace.warnings[0] if trace.warnings else "no events")
    trace.record_count = len(columns)
    # Once over the columns, in C: when the run began and ended, and whether dagron said so.
    first, last = min(columns.times), max(columns.times)
    started = code_of["execution_started"] in columns.codes
    completed = code_of["execution_completed"] in columns.codes
    # A node that began and said no more is running; the run's status is the worst of the
    # others: once execution_completed is recorded the run is over, even if a node never
    # reported back.
    ended: set[Status] = set()
    for node in spans:
        if node.kind == NODE:
            if node.status is Status.UNKNOWN and node.start is not None:
                node.status = Status.RUNNING
            ended.add(node.status)
    ended.discard(Status.RUNNING)
    roll_up(trace, STEP)
    trace.status = worst_status(ended, Status.OK) if completed else Status.RUNNING
    trace.duration = last - first
    trace.attributes["execution_started"] = started
    trace.attributes["execution_completed"] = completed
    finish_duration(trace)
    return [trace]


class _NotDecoded:
    """What no event is while no typed event can exist (``dagron_typed`` not imported)."""


def _rebuild(trace: Trace) -> Callable[[EventColumns, int], dict[str, Any]]:
    """How an event's source record is rebuilt: the same keys and values (header first).
    It holds the trace's span list, not the trace, so that a trace and its events form no
    reference cycle: a trace nobody uses is freed at once, even out of the collector's sight
    (``gc.freeze``)."""
    spans = trace.spans

    def rebuild(columns: EventColumns, index: int) -> dict[str, Any]:
        record: dict[str, Any] = {
            "event_type": columns.type_of(index),
            "timestamp": columns.times[index],
        }
        span = columns.spans[index]
        stored = columns.attributes[index]
        if span >= 0 and (not isinstance(stored, dict) or "node_name" not in stored):
            owner = spans[span]
            if owner.kind == NODE:
                record["node_name"] = owner.name
        record.update(columns.attributes_of(index))
        return record

    return rebuild
