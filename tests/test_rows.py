"""The explorer's rows: the array layout answers exactly what a plain tree walk would."""

from __future__ import annotations

import gc
import random

import pytest

from tests.helpers import SAMPLES
from tracetui.loaders import load_path
from tracetui.model import Span, Status, Trace
from tracetui.view.rows import Row, RowModel, SearchIndex, SortKey, Targets, failures

STATUSES = [Status.OK, Status.OK, Status.OK, Status.FAILED, Status.SKIPPED, Status.TIMED_OUT]


def random_trace(seed: int, size: int = 300) -> Trace:
    """A trace of nested spans with ties, missing times and every status."""
    rng = random.Random(seed)
    trace = Trace(dialect="test", source=f"random-{seed}")
    for index in range(size):
        parent = rng.choice([None, None, *range(index)]) if index else None
        start = None if rng.random() < 0.1 else float(rng.randint(0, 20))
        end = None if start is None or rng.random() < 0.1 else start + rng.randint(0, 5)
        trace.add_span(
            f"k{index}",
            rng.choice(["Alpha", "beta", "gamma", "Delta", "alpha"]) + str(rng.randint(0, 9)),
            "node",
            parent=parent,
            start=start,
            end=end,
            duration=None if rng.random() < 0.5 else float(rng.randint(0, 9)),
            status=rng.choice(STATUSES),
            error="Boom: disk full" if rng.random() < 0.1 else None,
        )
    return trace


def sort_key(span: Span, sort: SortKey) -> tuple[object, int]:
    if sort is SortKey.START:
        start = span.start if span.start is not None else span.end
        return ((start is None, start or 0.0), span.index)
    if sort is SortKey.DURATION:
        elapsed = span.elapsed
        return (-(elapsed if elapsed is not None else -1.0), span.index)
    if sort is SortKey.NAME:
        return (span.name.casefold(), span.index)
    return (0, span.index)


def reference_rows(
    trace: Trace, sort: SortKey, collapsed: set[int], wanted: frozenset[Status] | None
) -> list[Row]:
    """The rows by the definition: a recursive walk of the sorted tree."""
    spans = trace.spans
    keep: set[int] | None = None
    if wanted is not None:
        keep = set()
        for span in spans:
            if span.status in wanted:
                for ancestor in trace.lineage(span.index):
                    keep.add(ancestor.index)
    rows: list[Row] = []

    def visit(index: int, depth: int) -> None:
        kids = sorted(spans[index].children, key=lambda i: sort_key(spans[i], sort))
        if keep is not None:
            kids = [k for k in kids if k in keep]
        expanded = bool(kids) and (keep is not None or index not in collapsed)
        context = wanted is not None and spans[index].status not in wanted
        rows.append(Row(index, depth, bool(kids), expanded, context))
        if expanded:
            for kid in kids:
                visit(kid, depth + 1)

    roots = sorted((s for s in spans if s.parent is None), key=lambda s: sort_key(s, sort))
    for root in roots:
        if keep is None or root.index in keep:
            visit(root.index, 0)
    return rows


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("sort", list(SortKey))
def test_rows_match_a_plain_tree_walk(seed: int, sort: SortKey) -> None:
    trace = random_trace(seed)
    rng = random.Random(seed)
    with_children = [s.index for s in trace.spans if s.children]
    model = RowModel(trace, sort=sort)
    for collapsed in (set(), set(rng.sample(with_children, min(8, len(with_children))))):
        for wanted in (None, frozenset({Status.FAILED}), frozenset({Status.SKIPPED, Status.OK})):
            model.collapsed = set(collapsed)
            model.set_filter(wanted)
            model.invalidate()
            expected = reference_rows(trace, sort, collapsed, wanted)
            assert list(model.rows()) == expected
            for position, row in enumerate(expected):
                assert model.row_of(row.span) == position
            shown = {row.span for row in expected}
            hidden = [s.index for s in trace.spans if s.index not in shown]
            assert all(model.row_of(i) is None for i in hidden)


def test_fold_all_then_reveal_shows_the_span_and_its_ancestors() -> None:
    trace = random_trace(7)
    model = RowModel(trace)
    model.fold_all(True)
    assert [r.span for r in model.rows()] == [
        r.span for r in reference_rows(trace, SortKey.START, model.collapsed, None)
    ]
    deepest = max(trace.spans, key=lambda s: len(trace.lineage(s.index)))
    model.reveal(deepest.index)
    assert model.row_of(deepest.index) is not None
    assert model.row_of(deepest.index) == next(
        n
        for n, r in enumerate(reference_rows(trace, SortKey.START, model.collapsed, None))
        if r.span == deepest.index
    )


@pytest.mark.parametrize("sort", list(SortKey))
def test_next_and_previous_follow_display_order_and_wrap(sort: SortKey) -> None:
    trace = random_trace(3)
    model = RowModel(trace, sort=sort)
    failing = failures(trace)
    order = [r.span for r in reference_rows(trace, sort, set(), None)]
    expected = [i for i in order if trace.spans[i].status.is_failure]
    assert expected
    # From nothing: the first (forward) or last (backward) in display order.
    assert model.next_of(failing, None, 1) == expected[0]
    assert model.next_of(failing, None, -1) == expected[-1]
    # Walking forward visits every failure once, in order, then wraps to the first.
    seen = [expected[0]]
    for _ in expected:
        seen.append(model.next_of(failing, seen[-1], 1))  # type: ignore[arg-type]
    assert seen == [*expected, expected[0]]
    # From a span that is not a target: the nearest one after (or before) it.
    plain = next(i for i in order[order.index(expected[0]) + 1 :] if i not in expected)
    after = order.index(plain)
    assert model.next_of(failing, plain, 1) == next(
        (i for i in order[after:] if i in expected), expected[0]
    )
    assert model.next_of(failing, plain, -1) == next(
        (i for i in reversed(order[:after]) if i in expected), expected[-1]
    )


def test_next_prefers_targets_the_filter_shows() -> None:
    trace = random_trace(4)
    model = RowModel(trace)
    model.set_filter(frozenset({Status.TIMED_OUT}))
    failing = failures(trace)
    jumped = model.next_of(failing, None, 1)
    assert jumped is not None and trace.spans[jumped].status is Status.TIMED_OUT
    assert model.next_of(Targets(), None, 1) is None


def test_search_index_finds_names_keys_and_errors_ignoring_case() -> None:
    trace = random_trace(5)
    index = SearchIndex(trace)
    found = index.find("  DISK FULL ")
    assert set(found) == {s.index for s in trace.spans if s.error and "disk full" in s.error}
    assert set(index.find("k12")) == {s.index for s in trace.spans if "k12" in s.key}
    assert set(index.find("ALPHA")) == {
        s.index for s in trace.spans if "alpha" in s.name.casefold()
    }
    assert 12 in index.find("k12") and 11 not in index.find("k12")
    assert not index.find("   ")
    # Name and key are separate fields: a query never matches across their boundary.
    assert not index.find(f"{trace.spans[0].name}k0")


def test_a_laid_out_run_holds_no_reference_cycle() -> None:
    """A run the explorer shows no more is freed at once, even frozen out of the collector's
    sight: its rows, layouts and search index form no cycle with it."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        trace = load_path(str(SAMPLES / "dagron/etl_fail.events.json")).traces[0]
        model = RowModel(trace)
        model.toggle(0)
        model.set_filter(frozenset({Status.FAILED}))
        assert len(model.rows()) and model.rows()[0] is not None
        model.prepare()
        SearchIndex(trace).find("extract")
        del trace, model
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()
