"""Many runs at once: one row per run, filters, per-workflow statistics and node trends."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracetui.analysis.failures import aware, start_time
from tracetui.model import Status, Trace, TraceSet, source_name
from tracetui.runfilter import BUCKETS, RunFilter

SPARKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


@dataclass(slots=True)
class RunRow:
    """What the runs list shows of one run."""

    source: str
    position: int
    trace: Trace
    started_at: datetime | None
    failing_node: str | None
    error_line: str | None
    # The source records no start time: ``started_at`` is its file's last change less the
    # run's duration, which orders runs of one folder but is not the producer's word.
    time_from_file: bool = False

    @property
    def sort_time(self) -> float:
        """When the run started, as epoch seconds for sorting (runs without a time first)."""
        return start_time(self.started_at)

    @property
    def name(self) -> str:
        """Workflow or skill name (or the file name when the run has none): what runs are
        grouped by for statistics."""
        return self.trace.name or source_name(self.source)

    @property
    def status(self) -> Status:
        """The run's status."""
        return self.trace.status

    @property
    def duration(self) -> float | None:
        """The run's duration in seconds."""
        return self.trace.duration


def _failure(trace: Trace) -> tuple[str | None, str | None]:
    for span in trace.spans:
        if span.status.is_failure and span.kind != "step":
            return span.name, span.first_error_line
    if trace.error:
        first = next((line.strip() for line in trace.error.splitlines() if line.strip()), "")
        return None, first
    return None, None


def run_rows(sources: list[TraceSet]) -> list[RunRow]:
    """One row per run in every source."""
    rows = []
    for traces in sources:
        for position, trace in enumerate(traces.traces):
            node, error = _failure(trace)
            started = aware(trace.started_at) if trace.started_at else None
            from_file = False
            if started is None and traces.modified_at is not None:
                # When the file was last written, less the run's own length.
                started = traces.modified_at - timedelta(seconds=trace.duration or 0.0)
                from_file = True
            rows.append(RunRow(traces.source, position, trace, started, node, error, from_file))
    return rows


def filter_runs(rows: list[RunRow], wanted: RunFilter) -> list[RunRow]:
    """Runs matching every part of the filter, newest first (as claude-flow's
    ``query_by_skill``), at most ``wanted.limit`` of them."""
    name, since, until, statuses, text = (
        wanted.name,
        wanted.since,
        wanted.until,
        wanted.statuses,
        wanted.text,
    )
    needle = text.casefold() if text else None
    kept = []
    for row in rows:
        if name is not None and row.trace.name != name:
            continue
        if since is not None and (row.started_at is None or row.started_at < since):
            continue
        if until is not None and (row.started_at is None or row.started_at > until):
            continue
        if statuses is not None and row.status not in statuses:
            continue
        if needle is not None:
            haystack = " ".join(
                filter(None, [row.name, row.trace.id, row.failing_node, row.error_line, row.source])
            ).casefold()
            if needle not in haystack:
                continue
        kept.append(row)
    kept.sort(key=lambda r: r.sort_time, reverse=True)
    return kept[: wanted.limit] if wanted.limit is not None else kept


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(slots=True)
class WorkflowStats:
    """How one workflow's runs went."""

    name: str
    runs: int
    failed: int
    p50: float | None
    p95: float | None
    timed_out: int = 0  # of the failed, those that timed out

    @property
    def failure_rate(self) -> float:
        """Failed, timed-out or cancelled runs as a fraction of all."""
        return self.failed / self.runs if self.runs else 0.0

    @property
    def timeout_rate(self) -> float:
        """Timed-out runs as a fraction of all."""
        return self.timed_out / self.runs if self.runs else 0.0


@dataclass(slots=True)
class RunStatistics:
    """Figures over every run a filter selects: all together, per workflow, per time bucket
    (newest first). ``computed_by`` says where: in tracetui's memory, or by the database."""

    overall: WorkflowStats
    workflows: list[WorkflowStats]
    buckets: list[WorkflowStats]  # name: the bucket's first moment, ISO 8601 UTC
    bucket: str
    computed_by: str = "tracetui"
    first_at: datetime | None = None  # the earliest start among the runs
    last_at: datetime | None = None  # the latest


def _stats(name: str, members: Sequence[RunRow]) -> WorkflowStats:
    durations = [r.duration for r in members if r.duration is not None]
    return WorkflowStats(
        name,
        len(members),
        sum(1 for r in members if r.status.is_failure),
        percentile(durations, 50),
        percentile(durations, 95),
        sum(1 for r in members if r.status is Status.TIMED_OUT),
    )


def workflow_stats(rows: Sequence[RunRow]) -> list[WorkflowStats]:
    """Per workflow: run count, failure rate, P50 and P95 duration; most runs first."""
    groups: dict[str, list[RunRow]] = {}
    for row in rows:
        groups.setdefault(row.name, []).append(row)
    result = [_stats(name, members) for name, members in groups.items()]
    result.sort(key=lambda s: (-s.runs, s.name))
    return result


def bucket_start(moment: datetime, bucket: str) -> datetime:
    """The first moment (UTC) of the bucket holding ``moment``, as PostgreSQL's
    ``date_trunc`` gives it (weeks start on Monday)."""
    at = aware(moment).astimezone(UTC).replace(tzinfo=None)
    if bucket == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    raise ValueError(f"{bucket!r} is not a bucket (say {', '.join(BUCKETS)})")


def run_statistics(rows: Sequence[RunRow], bucket: str = "day") -> RunStatistics:
    """Figures over ``rows``: all, per workflow and per time bucket (runs without a start
    time are in no bucket)."""
    groups: dict[datetime, list[RunRow]] = {}
    for row in rows:
        if row.started_at is not None:
            groups.setdefault(bucket_start(row.started_at, bucket), []).append(row)
    buckets = [_stats(start.isoformat(), groups[start]) for start in sorted(groups, reverse=True)]
    starts = [row.started_at for row in rows if row.started_at is not None]
    return RunStatistics(
        _stats("all", rows),
        workflow_stats(rows),
        buckets,
        bucket,
        first_at=min(starts) if starts else None,
        last_at=max(starts) if starts else None,
    )


@dataclass(slots=True)
class NodeTrend:
    """One node's duration across a workflow's runs, oldest first."""

    node: str
    durations: list[float | None]
    slowed_at: int | None  # index of the run where it started to slow, if it did

    def sparkline(self) -> str:
        """One character per run; a gap where the node did not run."""
        values = [d for d in self.durations if d is not None]
        if not values:
            return " " * len(self.durations)
        low, high = min(values), max(values)
        spread = high - low
        marks = []
        for value in self.durations:
            if value is None:
                marks.append(" ")
            elif spread <= 0:
                marks.append(SPARKS[0])
            else:
                marks.append(SPARKS[min(7, int((value - low) / spread * 8))])
        return "".join(marks)


def slowdown_start(durations: list[float | None], factor: float = 1.5) -> int | None:
    """The first run from which the node stays slower: every later run at least ``factor``
    times the median of the runs before it, and the runs before it not yet slow."""
    values = [(i, d) for i, d in enumerate(durations) if d is not None]
    for position in range(2, len(values)):
        before = [d for _, d in values[:position]]
        after = [d for _, d in values[position:]]
        baseline = statistics.median(before)
        if baseline > 0 and min(after) >= baseline * factor:
            return values[position][0]
    return None


def node_trends(rows: list[RunRow]) -> list[NodeTrend]:
    """Per node, its duration in each run (oldest first); nodes that slowed come first."""
    ordered = sorted(rows, key=lambda r: r.sort_time)
    names: dict[str, None] = {}
    per_run: list[dict[str, float]] = []
    for row in ordered:
        seen: dict[str, float] = {}
        for span in row.trace.nodes():
            if span.elapsed is not None and span.name not in seen:
                seen[span.name] = span.elapsed
                names.setdefault(span.name)
        per_run.append(seen)
    trends = []
    for name in names:
        durations = [run.get(name) for run in per_run]
        trends.append(NodeTrend(name, durations, slowdown_start(durations)))
    trends.sort(key=lambda t: (t.slowed_at is None, t.node))
    return trends
