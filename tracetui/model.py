"""The one in-memory trace model that every dialect loads into."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from math import isnan
from typing import Any, TypeVar, overload


class Status(StrEnum):
    """Final state of a unit of work or a run."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    CACHED = "cached"
    RUNNING = "running"
    UNKNOWN = "unknown"

    @property
    def is_failure(self) -> bool:
        """True for the states that count as a failure."""
        return self in FAILURE_STATUSES


FAILURE_STATUSES = frozenset({Status.FAILED, Status.TIMED_OUT, Status.CANCELLED})
_STATUS_BY_WORD = {status.value: status for status in Status}


def status_named(word: Any) -> Status | None:
    """The status whose value is ``word`` (``"timed_out"``), or None for anything else."""
    return _STATUS_BY_WORD.get(word) if isinstance(word, str) else None


# Kinds of span. NODE is what users call "the nodes" of a run; the others nest or group.
NODE = "node"
STEP = "step"  # a dagron topological level, a group of nodes
TOOL_CALL = "tool_call"
UNIT = "unit"
MODEL_INVOCATION = "model_invocation"
GATE = "gate"
RESOURCE = "resource"
RUN = "run"  # a span that covers the whole run (Chrome "execution" slices)


@dataclass(slots=True, eq=False)
class Span:
    """A unit of work: a node, step, tool call, unit, model invocation, gate wait or resource hold.

    Times are seconds from the trace origin; ``start`` or ``end`` is None where the source
    does not say. ``duration`` is the duration the source reports for the work itself (it can
    differ from ``end - start``, e.g. dagron's task run time).
    """

    index: int
    key: str
    name: str
    kind: str
    parent: int | None
    start: float | None
    end: float | None
    duration: float | None
    status: Status
    error: str | None = None
    inputs: Any = None
    outputs: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    raw: Any = None
    # A shared empty tuple until the first child (most spans have none): see ``Trace.adopt``.
    children: Sequence[int] = ()

    @property
    def wall(self) -> float | None:
        """Seconds from start to end, when both are known."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def elapsed(self) -> float | None:
        """The best single duration: the reported one, else the wall span."""
        return self.duration if self.duration is not None else self.wall

    @property
    def first_error_line(self) -> str | None:
        """First non-empty line of the error text."""
        if self.error is None:
            return None
        for line in self.error.splitlines():
            if line.strip():
                return line.strip()
        return ""


@dataclass(slots=True, eq=False)
class Event:
    """One record in the source's event stream, in source order."""

    index: int
    time: float | None
    kind: str
    type: str
    span: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    raw: Any = None


Item = TypeVar("Item")


class LazySequence(Sequence[Item]):
    """A sequence whose items are made when read (``_item``); indexing by negative numbers
    and by slices, and iteration, are handled here once."""

    __slots__ = ()

    def _item(self, index: int) -> Item:
        """The item at a valid, non-negative index."""
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...

    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self._item(index)

    def __iter__(self) -> Iterator[Item]:
        for index in range(len(self)):
            yield self._item(index)


# What an event's attributes can be kept as in a column: nothing, a lone duration, or a dict.
StoredAttributes = dict[str, Any] | float | None


class EventColumns(LazySequence[Event]):
    """A trace's events in source order, kept as columns and made into ``Event`` objects
    when read: a million events cost tens of megabytes, not hundreds.

    Attributes are stored as None (none), a float (just ``{"duration": x}``, dagron's usual
    completion) or the dict itself. A loader that can rebuild each source record from the
    columns passes ``rebuild``; otherwise the raw record given to ``append`` is kept. A
    loader whose events' attributes are their records less a few keys passes ``derive`` and
    appends with ``push_record``: the attributes are made from the record when read.
    """

    __slots__ = (
        "_code_of",
        "_pairs",
        "_raws",
        "attributes",
        "codes",
        "derive",
        "first_in_span",
        "last_in_span",
        "next_in_span",
        "rebuild",
        "spans",
        "times",
    )

    times: array[float]
    codes: array[int]
    spans: array[int]
    attributes: list[StoredAttributes]
    next_in_span: array[int]
    first_in_span: array[int]
    last_in_span: array[int]
    rebuild: Callable[[EventColumns, int], Any] | None
    derive: Callable[[Any], dict[str, Any]] | None
    _raws: list[Any]
    _pairs: list[tuple[str, str]]
    _code_of: dict[tuple[str, str], int]

    def __init__(
        self,
        rebuild: Callable[[EventColumns, int], Any] | None = None,
        derive: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        # The columns are made when first used (see ``__getattr__``): a run with no events
        # (most claude-flow runs, and every run a list holds only to name) costs a few
        # dozen bytes here, not a kilobyte. Each span's events are a chain: its first and
        # last event, and each event's next one in the same span (-1 ends it), four bytes an
        # event instead of a list per span.
        self.rebuild = rebuild
        self.derive = derive

    def __getattr__(self, name: str) -> Any:
        """Make a column on its first use."""
        made: Any
        if name in _ARRAY_COLUMNS:
            made = array(_ARRAY_COLUMNS[name])
        elif name in ("attributes", "_raws", "_pairs"):
            made = []
        elif name == "_code_of":
            made = {}
        else:
            raise AttributeError(name)
        setattr(self, name, made)
        return made

    def code(self, kind: str, type_: str) -> int:
        """The column code of a (kind, type) pair, registered on first use."""
        pair = (kind, type_)
        found = self._code_of.get(pair)
        if found is None:
            found = self._code_of[pair] = len(self._pairs)
            self._pairs.append(pair)
        return found

    def push(
        self, time: float | None, code: int, span: int | None, attributes: StoredAttributes
    ) -> int:
        """Append one event by its columns (the raw record is rebuilt); returns its index."""
        index = len(self.codes)
        self.times.append(NAN if time is None else time)
        self.codes.append(code)
        self.spans.append(-1 if span is None else span)
        self.attributes.append(None if attributes == {} else attributes)
        self.next_in_span.append(-1)
        if span is not None:
            self.link(span, index)
        return index

    def link(self, span: int, index: int) -> None:
        """Chain event ``index`` (the newest) to the end of its span's events."""
        first = self.first_in_span
        if span >= len(first):
            # Grown by at least half again, so that most links find their slot already there.
            grow = max(span + 1 - len(first), len(first) // 2, 64)
            first.extend(_NONE * grow)
            self.last_in_span.extend(_NONE * grow)
        last = self.last_in_span[span]
        if last < 0:
            first[span] = index
        else:
            self.next_in_span[last] = index
        self.last_in_span[span] = index

    def reserve(self, spans: int) -> None:
        """Make room for the events of ``spans`` spans, so that a loader's hot loop can chain
        a new span's first event by two stores instead of ``link``."""
        first = self.first_in_span
        if spans > len(first):
            grow = spans - len(first)
            first.extend(_NONE * grow)
            self.last_in_span.extend(_NONE * grow)

    def of_span(self, span: int) -> list[int]:
        """The indices of a span's events, in source order."""
        result = []
        index = self.first_in_span[span] if span < len(self.first_in_span) else -1
        following = self.next_in_span
        while index >= 0:
            result.append(index)
            index = following[index]
        return result

    def push_record(self, time: float | None, code: int, span: int | None, raw: Any) -> int:
        """Append one event by its columns and its source record, from which ``derive`` makes
        its attributes when they are read; returns its index."""
        self._keep_raw(raw)
        return self.push(time, code, span, None)

    def append(self, event: Event) -> None:
        """Append an event made elsewhere, keeping its raw record."""
        self._keep_raw(event.raw)
        self.push(event.time, self.code(event.kind, event.type), event.span, event.attributes)

    def _keep_raw(self, raw: Any) -> None:
        """Keep the record of the event about to be pushed (None for those rebuilt before)."""
        raws = self._raws
        missing = len(self.codes) - len(raws)
        if missing:
            raws.extend([None] * missing)
        raws.append(raw)

    def __len__(self) -> int:
        return len(self.codes)

    def _item(self, index: int) -> Event:
        kind, type_ = self._pairs[self.codes[index]]
        time = self.times[index]
        span = self.spans[index]
        return Event(
            index,
            None if isnan(time) else time,  # NaN marks "no time"
            kind,
            type_,
            None if span < 0 else span,
            self.attributes_of(index),
            self.raw_of(index),
        )

    def attributes_of(self, index: int) -> dict[str, Any]:
        """An event's attributes (the stored dict itself, when there is one)."""
        stored = self.attributes[index]
        if stored is None:
            derive = self.derive
            if derive is not None and index < len(self._raws):
                return derive(self._raws[index])
            return {}
        if isinstance(stored, float):
            return {"duration": stored}
        return stored

    def raw_of(self, index: int) -> Any:
        """The event's source record: the one kept, or rebuilt from the columns."""
        if index < len(self._raws) and self._raws[index] is not None:
            return self._raws[index]
        return self.rebuild(self, index) if self.rebuild is not None else None

    def type_of(self, index: int) -> str:
        """The source's type of an event, without making the event."""
        return self._pairs[self.codes[index]][1]

    def known_times(self) -> list[float]:
        """Every event time the source gave."""
        return [t for t in self.times if not isnan(t)]


NAN = float("nan")
# EventColumns' array columns and their typecodes.
_ARRAY_COLUMNS = {
    "times": "d",
    "codes": "H",
    "spans": "i",
    "next_in_span": "i",
    "first_in_span": "i",
    "last_in_span": "i",
}
# How the warning about parent links cut by ``Trace.cut_cycles`` begins.
CUT_PARENTS_NOTE = "parent links of"
_NONE = array("i", [-1])


@dataclass(slots=True, eq=False)
class Trace:
    """One run of a workflow as a dialect recorded it."""

    dialect: str
    source: str
    id: str | None = None
    name: str | None = None
    started_at: datetime | None = None
    status: Status = Status.UNKNOWN
    duration: float | None = None
    error: str | None = None
    spans: list[Span] = field(default_factory=list)
    events: EventColumns = field(default_factory=EventColumns)
    attributes: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    record_count: int = 0
    raw: Any = None
    # Spans whose parent link was cut because it closed a cycle or named no span.
    cut_parents: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the run is named to people: its name, else its id, else its file's name (never
        a whole path)."""
        if self.name:
            return self.name
        if self.id:
            return self.id
        return source_name(self.source)

    def add_span(
        self,
        key: str,
        name: str,
        kind: str,
        *,
        parent: int | None = None,
        start: float | None = None,
        end: float | None = None,
        duration: float | None = None,
        status: Status = Status.UNKNOWN,
        error: str | None = None,
        inputs: Any = None,
        outputs: Any = None,
        attributes: dict[str, Any] | None = None,
        raw: Any = None,
    ) -> Span:
        """Append a span, link it under its parent and return it."""
        span = Span(
            len(self.spans),
            key,
            name,
            kind,
            parent,
            start,
            end,
            duration,
            status,
            error,
            inputs,
            outputs,
            {} if attributes is None else attributes,
            raw,
        )
        self.spans.append(span)
        if parent is not None:
            self.adopt(parent, span.index)
        return span

    def adopt(self, parent: int, child: int) -> None:
        """List ``child`` last among the children of ``parent`` (its own ``parent`` is the
        caller's to set)."""
        span = self.spans[parent]
        children = span.children
        if isinstance(children, list):
            children.append(child)
        else:
            span.children = [*children, child]

    def add_event(
        self,
        time: float | None,
        kind: str,
        type_: str,
        span: int | None = None,
        attributes: dict[str, Any] | None = None,
        raw: Any = None,
    ) -> Event:
        """Append an event, attach it to its span and return it."""
        event = Event(len(self.events), time, kind, type_, span, attributes or {}, raw)
        self.events.append(event)
        return event

    def events_of(self, span: int) -> list[int]:
        """The indices of a span's events, in source order."""
        return self.events.of_span(span)

    def warn(self, message: str) -> None:
        """Record something the loader could not place."""
        self.warnings.append(message)

    def lineage(self, index: int) -> list[Span]:
        """The span and its ancestors, root first (at most one of each, even in a trace
        whose parents were never checked for cycles)."""
        chain: list[Span] = []
        current: int | None = index
        while current is not None and len(chain) <= len(self.spans):
            chain.append(self.spans[current])
            current = self.spans[current].parent
        chain.reverse()
        return chain

    def cut_cycles(self) -> None:
        """Make the parent links a forest: a span that is its own ancestor (or names a span
        that does not exist) loses its parent, with a warning naming it. Loaders call this
        once, so every later walk up or down the tree ends."""
        spans = self.spans
        count = len(spans)
        # Parents made before their children cannot form a cycle: the usual case, checked
        # in one pass.
        if all(s.parent is None or 0 <= s.parent < s.index for s in spans):
            return
        state = bytearray(count)  # 0 not seen, 1 on the current walk, 2 known to end
        cut: list[Span] = []
        for first in range(count):
            walk = []
            current: int | None = first
            while current is not None and state[current] == 0:
                state[current] = 1
                walk.append(current)
                parent = spans[current].parent
                if parent is not None and not 0 <= parent < count:
                    spans[current].parent = parent = None
                    cut.append(spans[current])
                elif parent is not None and state[parent] == 1:
                    self._detach(spans[current])
                    cut.append(spans[current])
                    parent = None
                current = parent
            for index in walk:
                state[index] = 2
        self.cut_parents.extend(s.index for s in cut)
        if cut:
            names = ", ".join(repr(s.name or s.key) for s in cut[:5])
            more = f" and {len(cut) - 5} more" if len(cut) > 5 else ""
            self.warn(
                f"{CUT_PARENTS_NOTE} {names}{more} formed a cycle or named no span; "
                "shown at the top level"
            )

    def _detach(self, span: Span) -> None:
        """Remove a span from its parent's children and clear its parent."""
        parent = span.parent
        span.parent = None
        if parent is not None:
            self.spans[parent].children = [
                c for c in self.spans[parent].children if c != span.index
            ]

    def path(self, index: int) -> str:
        """``node / tool`` names from the root down to a span; step groups left out."""
        return " / ".join(s.name for s in self.lineage(index) if s.kind != STEP)

    def nodes(self) -> Iterator[Span]:
        """The spans users call the run's nodes."""
        return (s for s in self.spans if s.kind == NODE)

    def roots(self) -> Iterator[Span]:
        """Spans with no parent, in order."""
        return (s for s in self.spans if s.parent is None)

    def extent(self) -> tuple[float, float] | None:
        """Earliest and latest time known anywhere in the trace."""
        times = [t for s in self.spans for t in (s.start, s.end) if t is not None]
        if not times:
            times = self.events.known_times()
        if not times:
            return None
        return min(times), max(times)


def source_name(source: str) -> str:
    """A source's last path part (``runs/a.json`` -> ``a.json``; files joined with ``+`` each
    shortened)."""
    return " + ".join(part.strip().rsplit("/", 1)[-1] for part in source.split(" + "))


@dataclass(slots=True, eq=False)
class TraceSet:
    """Everything one source held: one or more traces plus source-level warnings.

    ``complete`` is set by sources that list runs before reading all of them (a database):
    it returns the full version of a trace marked ``partial``.
    """

    source: str
    traces: list[Trace]
    warnings: list[str] = field(default_factory=list)
    complete: Callable[[Trace], Trace] | None = None
    # When the source file was last written (None for a stream or a database): the only
    # clue to when runs that record no absolute time happened.
    modified_at: datetime | None = None

    def all_warnings(self) -> list[str]:
        """What the source could not place: its own warnings, then each run's, once each."""
        found = list(self.warnings)
        for trace in self.traces:
            found.extend(trace.warnings)
        return list(dict.fromkeys(found))
