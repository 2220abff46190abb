"""The model's own bookkeeping: events by span, children under parents."""

from __future__ import annotations

import random

import pytest

from tracetui.model import NODE, Status, Trace


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
