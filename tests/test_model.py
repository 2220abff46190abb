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
