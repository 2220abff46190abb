"""``tracetui runs``: the runs and per-workflow statistics, as text or JSON."""

from __future__ import annotations

from typing import Any

from tracetui.analysis.runs import RunRow, RunStatistics, WorkflowStats
from tracetui.display import GLYPH, WORD, seconds, timestamp
from tracetui.text import pad, safe_line, shorten


def stats_json(stat: WorkflowStats) -> dict[str, Any]:
    """One group's figures."""
    return {
        "name": stat.name,
        "runs": stat.runs,
        "failed": stat.failed,
        "failure_rate": stat.failure_rate,
        "timed_out": stat.timed_out,
        "timeout_rate": stat.timeout_rate,
        "p50_s": stat.p50,
        "p95_s": stat.p95,
    }


def runs_json(rows: list[RunRow], stats: RunStatistics) -> dict[str, Any]:
    """Runs newest first, then the figures over every matching run: all together
    (``overall``), per workflow and per time bucket."""
    return {
        "total_runs": stats.overall.runs,
        "listed_runs": len(rows),
        "computed_by": stats.computed_by,
        "overall": stats_json(stats.overall),
        "bucket": stats.bucket,
        "buckets": [{**stats_json(b), "start": b.name} for b in stats.buckets],
        "runs": [
            {
                "source": r.source,
                "position": r.position,
                "dialect": r.trace.dialect,
                "id": r.trace.id,
                "name": r.trace.name,
                "status": r.status.value,
                "started_at": r.started_at.isoformat() if r.started_at else None,
                # True when the source records no start time and it was taken from the
                # file's last change (less the run's duration).
                "started_at_from_file": r.time_from_file,
                "duration_s": r.duration,
                "failing_node": r.failing_node,
                "error": r.error_line,
            }
            for r in rows
        ],
        "workflows": [stats_json(s) for s in stats.workflows],
    }


def started(row: RunRow, *, short: bool = False) -> str:
    """When a run started; ``~`` in front when only its file's time says so. ``short`` is
    month-day and time to the second (``11-22 02:02:34``)."""
    mark = "~" if row.time_from_file else ""
    if short:
        at = row.started_at
        return mark + (at.strftime("%m-%d %H:%M:%S") if at is not None else "-")
    return mark + timestamp(row.started_at)


# The newest buckets a text listing shows; JSON has them all.
TEXT_BUCKETS = 31


def _stats_line(label: str, stat: WorkflowStats) -> str:
    return (
        f"{label} {stat.runs:>8} {stat.failed:>7} {stat.failure_rate * 100:>5.1f}% "
        f"{stat.timeout_rate * 100:>7.1f}% {seconds(stat.p50):>9} {seconds(stat.p95):>9}"
    )


def runs_text(rows: list[RunRow], stats: RunStatistics) -> str:
    """A table of runs, then the figures per workflow and per time bucket."""
    total = stats.overall.runs
    shown = f"{len(rows):,}"
    lines = [f"{shown} runs" if total == len(rows) else f"newest {shown} of {total:,} runs"]
    for row in rows:
        failure = ""
        if row.failing_node or row.error_line:
            failure = shorten(safe_line(f"{row.failing_node or ''}: {row.error_line or ''}"), 70)
        lines.append(
            f"  {GLYPH[row.status]} {WORD[row.status]:<9} {started(row):<24} "
            f"{seconds(row.duration):>9}  {pad(safe_line(row.name), 28)} "
            f"{pad(safe_line(row.trace.dialect), 13)} {failure}"
        )
    titles = f"{'runs':>8} {'failed':>7} {'rate':>6} {'timeout':>8} {'P50':>9} {'P95':>9}"
    lines += ["", f"over all {total:,} matching runs (computed by {stats.computed_by})"]
    lines.append(f"{'workflow':<30} {titles}")
    lines.append(_stats_line(f"{'(all)':<30}", stats.overall))
    for stat in stats.workflows:
        lines.append(_stats_line(pad(safe_line(stat.name), 30), stat))
    if stats.buckets:
        lines += ["", f"{'per ' + stats.bucket + ' (UTC)':<30} {titles}"]
        for stat in stats.buckets[:TEXT_BUCKETS]:
            lines.append(_stats_line(f"{stat.name.replace('T', ' '):<30}", stat))
        if len(stats.buckets) > TEXT_BUCKETS:
            lines.append(
                f"... {len(stats.buckets) - TEXT_BUCKETS} older (--json lists every bucket; "
                "--since narrows, --bucket week or month widens)"
            )
    return "\n".join(lines) + "\n"
