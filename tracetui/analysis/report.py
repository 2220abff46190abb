"""An incident report's content, computed once for the HTML and markdown writers: what
happened, what failed and whether it was seen before, what changed against a baseline, and
the workflow's trend over its recent runs."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from tracetui.analysis.critical_path import CriticalPath, critical_path
from tracetui.analysis.diff import Change, Diff, Pair, diff
from tracetui.analysis.failures import (
    DEFAULT_FAMILY_THRESHOLD,
    Failure,
    Family,
    aware,
    collect,
    group,
    start_time,
)
from tracetui.analysis.runs import percentile
from tracetui.analysis.same_run import same_run
from tracetui.analysis.validate import span_findings
from tracetui.model import FAILURE_STATUSES, NODE, STEP, Span, Status, Trace, TraceSet

# Statuses of work that did not run to its end, listed after the first failure.
_NOT_DONE = frozenset({Status.SKIPPED, Status.CANCELLED, Status.RUNNING, Status.UNKNOWN})
# How many of the largest changes the report charts.
LARGEST_CHANGES = 8
# How many recent runs of the workflow the trend and "seen before" look at.
RECENT_RUNS = 50


@dataclass(slots=True)
class Spread:
    """The baseline's run durations: median and range."""

    runs: int
    median: float | None
    low: float | None
    high: float | None


@dataclass(slots=True)
class Seen:
    """How often a failure family occurred in the workflow's history."""

    runs: int  # runs in which it occurred
    of: int  # runs looked at
    first: datetime | None


@dataclass(slots=True)
class TrendPoint:
    """One run of the workflow in its history."""

    started_at: datetime | None
    duration: float
    status: Status
    current: bool


@dataclass(slots=True)
class Report:
    """Everything the report says, in the order it says it."""

    trace: Trace
    source: str
    critical: CriticalPath
    first_failure: Span | None
    after_failure: list[Span]  # not done (skipped, cancelled, never ended) after it, in time
    dependencies_known: bool  # the dialect records what waits on what (dagron steps)
    baseline: Spread | None
    families: list[Family]
    seen: dict[int, Seen] = field(default_factory=dict)  # by position in ``families``
    diff: Diff | None = None
    largest: list[Pair] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    p50: float | None = None
    p95: float | None = None
    contradictions: int = 0  # places the source contradicts itself (validate's span checks)

    @property
    def changes(self) -> list[Pair]:
        """Regressions, status changes, added and removed nodes against the baseline."""
        if self.diff is None:
            return []
        return [
            p
            for p in self.diff.pairs
            if p.regression
            or p.status_changed
            or p.newly_failing
            or p.change in (Change.ADDED, Change.REMOVED)
        ]


def _first_failure(trace: Trace) -> Span | None:
    """The failure that happened first (by end, else start): where trouble began."""
    failed = [s for s in trace.spans if s.status in FAILURE_STATUSES and s.kind != STEP]
    if not failed:
        return None

    def when(span: Span) -> float:
        for value in (span.end, span.start):
            if value is not None:
                return value
        return float("inf")

    return min(failed, key=lambda s: (when(s), s.index))


def _after(trace: Trace, first: Span) -> list[Span]:
    """Nodes that did not run to their end and come after the first failure in time (or have
    no time at all)."""
    mark = first.end if first.end is not None else first.start
    found = []
    for span in trace.nodes():
        if span.status not in _NOT_DONE or span is first:
            continue
        at = span.start if span.start is not None else span.end
        if at is None or mark is None or at >= mark:
            found.append(span)
    return found


def _spread(baseline: list[Trace]) -> Spread | None:
    if not baseline:
        return None
    durations = [t.duration for t in baseline if t.duration is not None]
    if not durations:
        return Spread(len(baseline), None, None, None)
    return Spread(len(baseline), statistics.median(durations), min(durations), max(durations))


def _same_workflow(trace: Trace, other: Trace) -> bool:
    """Another run of the same workflow (the run itself, read again from history or in its
    other form, is not)."""
    if same_run(trace, other):
        return False
    return trace.name is None or other.name == trace.name


def _seen(families: list[Family], history: list[Trace]) -> dict[int, Seen]:
    """For each family, the history runs holding a failure of the same signature (or one as
    similar as a family's members are)."""
    if not history:
        return {}
    past = collect([TraceSet("history", history)])
    by_run: dict[int, list[Failure]] = {}
    for failure in past:
        by_run.setdefault(id(failure.trace), []).append(failure)
    result: dict[int, Seen] = {}
    for position, family in enumerate(families):
        runs = [
            trace
            for trace in history
            if any(
                fuzz.ratio(f.signature, family.signature) >= DEFAULT_FAMILY_THRESHOLD
                for f in by_run.get(id(trace), ())
            )
        ]
        starts = [aware(t.started_at) for t in runs if t.started_at is not None]
        result[position] = Seen(len(runs), len(history), min(starts) if starts else None)
    return result


def _trend(trace: Trace, history: list[Trace]) -> list[TrendPoint]:
    points = [
        TrendPoint(t.started_at, t.duration, t.status, t is trace)
        for t in [*history, trace]
        if t.duration is not None
    ]
    points.sort(key=lambda p: start_time(p.started_at))
    return points


def build_report(
    traces: TraceSet,
    trace: Trace,
    baseline: list[Trace] | None = None,
    history: list[Trace] | None = None,
) -> Report:
    """The report on ``trace`` (one run of ``traces``), against an optional baseline and the
    workflow's history (runs of the same name, newest ``RECENT_RUNS``)."""
    baseline = [t for t in (baseline or []) if t is not trace]
    recent = sorted(
        (t for t in (history or []) if _same_workflow(trace, t)),
        key=lambda t: start_time(t.started_at),
    )[-RECENT_RUNS:]
    first = _first_failure(trace)
    families = group(collect([TraceSet(traces.source, [trace])]))
    report = Report(
        trace=trace,
        source=traces.source,
        critical=critical_path(trace),
        first_failure=first,
        after_failure=_after(trace, first) if first is not None else [],
        dependencies_known=any(s.kind == STEP for s in trace.spans),
        baseline=_spread(baseline),
        families=families,
        seen=_seen(families, recent),
        contradictions=sum(len(span_findings(trace, s)) for s in trace.spans),
    )
    if baseline:
        report.diff = diff(baseline, trace)
        timed = [p for p in report.diff.pairs if p.delta is not None and p.kind == NODE]
        report.largest = sorted(timed, key=lambda p: -abs(p.delta or 0.0))[:LARGEST_CHANGES]
    if recent:
        report.trend = _trend(trace, recent)
        durations = [p.duration for p in report.trend]
        report.p50 = percentile(durations, 50)
        report.p95 = percentile(durations, 95)
    return report
