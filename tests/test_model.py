"""The model's own bookkeeping: events by span, children under parents."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest

from tests.helpers import SAMPLES, trace_files
from tracetui import source
from tracetui.loaders import load_path
from tracetui.model import NODE, EventColumns, Status, Trace
from tracetui.source import settle, tidy


@pytest.mark.parametrize("seed", range(5))
def test_each_spans_events_are_the_events_that_name_it_in_order(seed: int) -> None:
    chooser = random.Random(seed)
    trace = Trace(dialect="test", source="t.json")
    for number in range(30):
        trace.add_span(f"s{number}", f"s{number}", NODE, status=Status.OK)
    owners = [chooser.choice([None, *range(30)]) for _ in range(400)]
    for position, owner in enumerate(owners):
        trace.add_event(float(position), "log", "line", owner)
    for span in range(30):
        expected = [i for i, owner in enumerate(owners) if owner == span]
        assert trace.events_of(span) == expected
    assert [e.span for e in trace.events] == owners


def test_a_span_without_events_has_none_even_past_the_last_linked_span() -> None:
    trace = Trace(dialect="test", source="t.json")
    for number in range(3):
        trace.add_span(f"s{number}", f"s{number}", NODE)
    trace.add_event(1.0, "log", "line", 0)
    assert trace.events_of(0) == [0]
    assert trace.events_of(1) == [] and trace.events_of(2) == []


def test_children_are_listed_in_order_and_a_childless_span_shares_nothing() -> None:
    trace = Trace(dialect="test", source="t.json")
    root = trace.add_span("root", "root", NODE)
    leaf = trace.add_span("leaf", "leaf", NODE)
    kids = [trace.add_span(f"k{n}", f"k{n}", NODE, parent=root.index).index for n in range(5)]
    assert list(root.children) == kids
    assert list(leaf.children) == [] and not hasattr(leaf.children, "append")
    trace.adopt(leaf.index, kids[0])
    assert list(leaf.children) == [kids[0]]
    assert list(trace.add_span("other", "other", NODE).children) == []  # nothing leaked


def _dagron(events: list[dict[str, object]]) -> Trace:
    import orjson

    from tracetui.loaders import load_bytes

    (trace,) = load_bytes(orjson.dumps(events), "run.events.json").traces
    return trace


def test_dagron_completions_of_every_shape_end_their_node() -> None:
    def started(name: str, at: float) -> dict[str, object]:
        return {"event_type": "node_started", "timestamp": at, "node_name": name}

    def completed(name: str, at: float, **extra: object) -> dict[str, object]:
        return {"event_type": "node_completed", "timestamp": at, "node_name": name, **extra}

    trace = _dagron(
        [
            started("plain", 1.0),
            completed("plain", 2.0, duration=0.9),  # the common case
            started("whole", 1.0),
            completed("whole", 3.0, duration=2),  # an integer duration
            started("bare", 1.0),
            completed("bare", 4.0),  # no duration
            completed("orphan", 5.0, duration=0.5),  # never started: placed by its run time
            started("again", 1.0),
            completed("again", 1.5, duration=0.5),
            started("again", 6.0),
            completed("again", 7.0, duration=1.0, result={"rows": 3}),  # a second run
        ]
    )
    spans = {s.key: s for s in trace.nodes()}
    assert (spans["plain"].start, spans["plain"].end, spans["plain"].duration) == (1.0, 2.0, 0.9)
    assert spans["whole"].duration == 2.0 and spans["whole"].status is Status.OK
    assert spans["bare"].duration is None and spans["bare"].end == 4.0
    assert spans["orphan"].start == 4.5 and "orphan" in spans["orphan"].attributes
    assert spans["again"].duration == 0.5 and spans["again#2"].duration == 1.0
    assert all(s.status is Status.OK for s in spans.values())
    # Every record comes back as the source wrote it, and each node lists its own events.
    assert [
        trace.events.raw_of(i)["node_name"] for i in trace.events_of(spans["again#2"].index)
    ] == [
        "again",
        "again",
    ]
    assert trace.events.raw_of(10)["result"] == {"rows": 3}


@pytest.mark.parametrize("path", trace_files(SAMPLES), ids=lambda p: p.name)
def test_a_loaded_trace_holds_no_reference_cycle(path: Path) -> None:
    """Loaded traces are frozen out of the collector's sight: one in a cycle would never be
    freed. Dropping the last reference must free everything at once."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        loaded = load_path(str(path))
        for each in loaded.traces:
            if len(each.events):
                each.events.raw_of(0)  # a record rebuilt on demand, as the explorer does
        del loaded, each
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_events_kept_as_records_get_their_attributes_from_them_when_read() -> None:
    trace = Trace(dialect="test", source="t.json")
    trace.add_span("s", "s", NODE)
    trace.events = EventColumns(derive=lambda record: {"seen": record["x"]})
    columns = trace.events
    code = columns.code("log", "line")
    first = {"x": 1, "ts": "a"}
    columns.push_record(1.0, code, 0, first)
    columns.push(2.0, code, None, {"own": True})
    columns.push_record(None, code, None, {"x": [2]})
    assert [e.attributes for e in columns] == [{"seen": 1}, {"own": True}, {"seen": [2]}]
    assert columns.raw_of(0) is first and columns.raw_of(1) is None
    assert [e.time for e in columns] == [1.0, 2.0, None]
    assert trace.events_of(0) == [0]


def test_tidy_frees_frozen_garbage_once_it_has_grown_by_half(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Objects frozen alive that later die in a cycle (a UI's drawn lines, in follow mode)
    are freed by a later tidy: the frozen heap does not grow with every reload."""
    monkeypatch.setattr(source._Frozen, "after_collection", 0)
    gc.collect()
    settle()
    base = gc.get_freeze_count()
    per_round = max(2_000, base // 40)
    highest = base
    for _ in range(120):
        tidy()  # as a reload begins
        alive: list[list[object]] = []
        for _ in range(per_round):
            cycle: list[object] = []
            cycle.append(cycle)
            alive.append(cycle)
        settle()  # frozen while alive ...
        del alive, cycle  # ... and garbage from now on
        highest = max(highest, gc.get_freeze_count())
    # Without the collections: base + 120 rounds of garbage, four times the heap.
    assert highest < base * source.FROZEN_GROWTH + 2 * per_round
