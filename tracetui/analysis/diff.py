"""Two runs (or a set of baseline runs and one current run), aligned node by node."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from enum import StrEnum

from tracetui.analysis.critical_path import critical_path
from tracetui.analysis.summary import status_counts
from tracetui.model import (
    FAILURE_STATUSES,
    MODEL_INVOCATION,
    NODE,
    TOOL_CALL,
    UNIT,
    Span,
    Status,
    Trace,
)

# Kinds that take part in a diff: units of work, not groups (steps) or whole-run slices.
COMPARED_KINDS = frozenset({NODE, TOOL_CALL, UNIT, MODEL_INVOCATION})
DEFAULT_MIN_SECONDS = 0.05
DEFAULT_MIN_PERCENT = 20.0


class Change(StrEnum):
    """What happened to one aligned unit of work."""

    SAME = "same"
    SLOWER = "slower"
    FASTER = "faster"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A duration change is significant past both of these."""

    seconds: float = DEFAULT_MIN_SECONDS
    percent: float = DEFAULT_MIN_PERCENT


@dataclass(slots=True)
class Pair:
    """One unit of work in the baseline and in the current run (either may be missing).

    The judgement (change, significance and the status flags) is made once, by ``diff``."""

    path: str
    name: str
    kind: str
    depth: int
    before: list[Span]  # one per baseline run it appears in
    after: Span | None
    status_before: Status | None
    status_after: Status | None
    seconds_before: float | None  # the median over the baseline runs
    seconds_after: float | None
    spread: tuple[float, float] | None  # lowest and highest baseline duration
    tools_before: float | None
    tools_after: int | None
    change: Change = Change.SAME
    significant: bool = False
    delta: float | None = None  # seconds gained (positive: slower)
    percent: float | None = None  # the delta relative to the baseline
    status_changed: bool = False  # both sides exist and ended differently
    newly_failing: bool = False  # a failure now that was not one before (or a new failing node)
    fixed: bool = False  # failing in the baseline, not any more
    regression: bool = False  # significantly slower, or newly failing

    @property
    def work_before(self) -> float | None:
        """The baseline's reported duration of the work (the first baseline run's)."""
        return self.before[0].duration if self.before else None

    @property
    def work_after(self) -> float | None:
        """The current run's reported duration of the work."""
        return self.after.duration if self.after is not None else None


def change_word(pair: Pair) -> str:
    """What changed for a pair, in a word or two ("" when nothing that counts did)."""
    if pair.change is Change.ADDED:
        return "added"
    if pair.change is Change.REMOVED:
        return "removed"
    if pair.newly_failing:
        return "now failing"
    if pair.fixed:
        return "fixed"
    if pair.status_changed:
        return "status changed"
    if pair.significant:
        return pair.change.value
    return ""


@dataclass(slots=True)
class RunTotals:
    """Run-level figures for one side."""

    duration_s: float | None
    counts: dict[str, int]
    critical_path: list[str]
    critical_basis: str
    status: Status


@dataclass(slots=True)
class Diff:
    """Every aligned pair plus the run totals on both sides."""

    baseline: list[Trace]
    current: Trace
    pairs: list[Pair]
    before: RunTotals
    after: RunTotals
    thresholds: Thresholds
    measure: str  # "duration" (as each source reports it) or "wall" (start to end)

    @property
    def measure_text(self) -> str:
        """What was compared, in words."""
        if self.measure == "wall":
            return "start to end (wall time)"
        return "the duration each source reports"

    warnings: list[str] = field(default_factory=list)

    def regressions(self) -> list[Pair]:
        """Pairs significantly slower or newly failing."""
        return [p for p in self.pairs if p.regression]

    def status_changes(self) -> list[Pair]:
        """Pairs whose status differs."""
        return [p for p in self.pairs if p.status_changed or p.newly_failing]

    def changes(self) -> list[Pair]:
        """Pairs with any significant change: timing, status, added or removed."""
        return [
            p
            for p in self.pairs
            if p.significant or p.status_changed or p.change in (Change.ADDED, Change.REMOVED)
        ]


def _compared_parent(trace: Trace, span: Span) -> int | None:
    """The nearest ancestor that takes part in a diff (steps and run slices are skipped)."""
    current = span.parent
    while current is not None and trace.spans[current].kind not in COMPARED_KINDS:
        current = trace.spans[current].parent
    return current


def _paths(trace: Trace) -> dict[str, Span]:
    """Each compared span by its path, ``node > tool#2``: top-level spans by their id (key),
    nested ones by name and occurrence under their parent."""
    component: dict[int, str] = {}
    parent_of: dict[int, int | None] = {}
    seen: Counter[tuple[int, str]] = Counter()
    for span in trace.spans:
        if span.kind not in COMPARED_KINDS:
            continue
        parent = _compared_parent(trace, span)
        parent_of[span.index] = parent
        if parent is None:
            component[span.index] = span.key
        else:
            seen[(parent, span.name)] += 1
            count = seen[(parent, span.name)]
            component[span.index] = span.name if count == 1 else f"{span.name}#{count}"
    # Each path is its parent's path and one more component: every parent is joined once.
    path_of: dict[int, str] = {}
    result: dict[str, Span] = {}
    for index in component:
        chain = [index]
        parent = parent_of[index]
        while parent is not None and parent not in path_of:
            chain.append(parent)
            parent = parent_of[parent]
        prefix = path_of[parent] if parent is not None else None
        for each in reversed(chain):
            prefix = component[each] if prefix is None else f"{prefix} > {component[each]}"
            path_of[each] = prefix
        result[path_of[index]] = trace.spans[index]
    return result


# Spans in these states never ran: a zero duration there is not a time to compare.
_NOT_RUN = frozenset({Status.SKIPPED, Status.CANCELLED})


# Dialects whose reported duration is work inside a longer span: compared start to end.
_WALL_DIALECTS = frozenset({"dagron"})


def _seconds(span: Span, measure: str) -> float | None:
    """The compared time of a span: start to end (``wall``) or its reported duration, each
    falling back on the other; None for a span that never ran."""
    duration, start, end = span.duration, span.start, span.end
    if not duration and span.status in _NOT_RUN:
        return None
    wall = end - start if start is not None and end is not None else None
    if measure == "wall" and wall is not None:
        return wall
    return duration if duration is not None else wall


def _tool_calls(span: Span, trace: Trace) -> int:
    if not span.children:
        return 0
    spans = trace.spans
    return sum(1 for c in span.children if spans[c].kind == TOOL_CALL)


def diff(baseline: list[Trace], current: Trace, thresholds: Thresholds | None = None) -> Diff:
    """Align every baseline run with the current run and judge each pair."""
    if not baseline:
        raise ValueError("a diff needs at least one baseline run")
    thresholds = thresholds or Thresholds()
    # Like with like: a dialect's own durations when both sides share it; else start to end.
    # dagron's own duration is the task's run time, not how long the node held up the run:
    # its nodes are compared start to end (the work time stays in each pair's ``work_*``).
    same_dialect = all(b.dialect == current.dialect for b in baseline)
    measure = "duration" if same_dialect and current.dialect not in _WALL_DIALECTS else "wall"
    before_paths = [_paths(b) for b in baseline]
    after_paths = _paths(current)
    order: list[str] = list(after_paths)
    seen = set(order)
    for paths in before_paths:
        for path in paths:
            if path not in seen:
                seen.add(path)
                order.append(path)
    # Removed spans go after the current run's own, each under its parent when possible.
    order = _nest_order(order, after_paths)
    pairs = [
        _pair(path, baseline, before_paths, current, after_paths.get(path), measure, thresholds)
        for path in order
    ]
    return Diff(
        baseline=baseline,
        current=current,
        pairs=pairs,
        before=_totals_of_baseline(baseline),
        after=_totals(current),
        thresholds=thresholds,
        measure=measure,
    )


def _nest_order(order: list[str], current: Container[str]) -> list[str]:
    """Current paths in their order; each baseline-only path right after its parent's subtree."""
    result = [p for p in order if p in current]
    placed = set(result)
    # Baseline-only paths by the placed path they go under; the rest go at the end.
    under: dict[str, list[str]] = {}
    last: list[str] = []
    for path in order:
        if path in current:
            continue
        parent = path.rsplit(" > ", 1)[0] if " > " in path else None
        if parent is not None and parent in placed:
            under.setdefault(parent, []).append(path)
            placed.add(path)
        else:
            last.append(path)
            placed.add(path)
    if not under:
        return result + last
    # Each group goes after the end of its parent's subtree (its last descendant), in order.
    spliced: list[str] = []
    pending: list[tuple[str, list[str]]] = []  # open subtrees, innermost last
    for path in [*result, *last]:
        while pending and not path.startswith(pending[-1][0] + " > "):
            spliced.extend(_nested(pending.pop()[1], under))
        spliced.append(path)
        if path in under:
            pending.append((path, under[path]))
    while pending:
        spliced.extend(_nested(pending.pop()[1], under))
    return spliced


def _nested(paths: list[str], under: dict[str, list[str]]) -> list[str]:
    """Baseline-only paths, each followed by the baseline-only paths placed under it."""
    result: list[str] = []
    pending = list(reversed(paths))  # a stack, not recursion: trees can be deep
    while pending:
        path = pending.pop()
        result.append(path)
        pending.extend(reversed(under.get(path, ())))
    return result


def _pair(
    path: str,
    baseline: list[Trace],
    before_paths: list[dict[str, Span]],
    current: Trace,
    after: Span | None,
    measure: str,
    thresholds: Thresholds,
) -> Pair:
    several = len(baseline) > 1
    if not several:  # the common case, without the cost of medians and counters
        only = before_paths[0].get(path)
        befores = [only] if only is not None else []
        value = _seconds(only, measure) if only is not None else None
        status_before = only.status if only is not None else None
        seconds_before = value
        spread = (value, value) if value is not None else None
        tools_before: float | None = _tool_calls(only, baseline[0]) if only is not None else None
    else:
        pairs = [
            (paths[path], t)
            for paths, t in zip(before_paths, baseline, strict=True)
            if path in paths
        ]
        befores = [span for span, _ in pairs]
        values = [v for v in (_seconds(s, measure) for s in befores) if v is not None]
        tools = [_tool_calls(span, trace) for span, trace in pairs]
        statuses = Counter(s.status for s in befores)
        status_before = statuses.most_common(1)[0][0] if statuses else None
        seconds_before = statistics.median(values) if values else None
        spread = (min(values), max(values)) if values else None
        tools_before = statistics.median(tools) if tools else None
    sample = after if after is not None else befores[0]
    pair = Pair(  # by position: this is made once for every unit of work of both runs
        path,
        sample.name,
        sample.kind,
        path.count(" > "),
        befores,
        after,
        status_before,
        after.status if after is not None else None,
        seconds_before,
        _seconds(after, measure) if after is not None else None,
        spread,
        tools_before,
        _tool_calls(after, current) if after is not None else None,
    )
    _judge(pair, thresholds, several)
    return pair


def _judge(pair: Pair, thresholds: Thresholds, several: bool) -> None:
    """Set what changed, whether it matters, and the status flags."""
    before, after = pair.status_before, pair.status_after
    failed_before = before in FAILURE_STATUSES
    failed_after = after in FAILURE_STATUSES
    pair.status_changed = before is not None and after is not None and before != after
    pair.newly_failing = failed_after and not failed_before
    pair.fixed = failed_before and after is not None and not failed_after
    if pair.seconds_before is not None and pair.seconds_after is not None:
        pair.delta = pair.seconds_after - pair.seconds_before
        if pair.seconds_before:
            pair.percent = pair.delta / pair.seconds_before * 100
    if pair.after is None:
        pair.change = Change.REMOVED
        pair.significant = True
    elif not pair.before:
        pair.change = Change.ADDED
        pair.significant = True
    elif pair.delta is not None:
        delta, percent = pair.delta, pair.percent
        pair.change = Change.SLOWER if delta > 0 else Change.FASTER if delta < 0 else Change.SAME
        past_seconds = abs(delta) >= thresholds.seconds
        past_percent = percent is None or abs(percent) >= thresholds.percent
        outside = True
        if several and pair.spread is not None and pair.seconds_after is not None:
            low, high = pair.spread
            outside = pair.seconds_after > high or pair.seconds_after < low
        pair.significant = past_seconds and past_percent and outside
    pair.regression = (pair.change is Change.SLOWER and pair.significant) or pair.newly_failing


def _totals(trace: Trace) -> RunTotals:
    path = critical_path(trace)
    return RunTotals(
        duration_s=trace.duration,
        counts=status_counts(list(trace.nodes())),
        critical_path=[trace.spans[i].name for i in path.spans],
        critical_basis=path.basis,
        status=trace.status,
    )


def _totals_of_baseline(baseline: list[Trace]) -> RunTotals:
    """One baseline run as it is; several as medians (and the most common status)."""
    if len(baseline) == 1:
        return _totals(baseline[0])
    each = [_totals(t) for t in baseline]
    durations = [t.duration_s for t in each if t.duration_s is not None]
    counts = {key: round(statistics.median(t.counts[key] for t in each)) for key in each[0].counts}
    statuses = Counter(t.status for t in each)
    latest = each[-1]
    return RunTotals(
        duration_s=statistics.median(durations) if durations else None,
        counts=counts,
        critical_path=latest.critical_path,
        critical_basis=latest.critical_basis,
        status=statuses.most_common(1)[0][0],
    )
