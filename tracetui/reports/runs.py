"""``tracetui runs``: the runs and per-workflow statistics, as text or JSON."""

from __future__ import annotations

from typing import Any

from tracetui.analysis.runs import RunRow, WorkflowStats
from tracetui.display import GLYPH, WORD, seconds, timestamp
from tracetui.text import pad, safe_line, shorten


def runs_json(rows: list[RunRow], stats: list[WorkflowStats]) -> dict[str, Any]:
    """Runs newest first, then per-workflow figures."""
    return {
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
        "workflows": [
            {
                "name": s.name,
                "runs": s.runs,
                "failed": s.failed,
                "failure_rate": s.failure_rate,
                "p50_s": s.p50,
                "p95_s": s.p95,
            }
            for s in stats
        ],
    }


def started(row: RunRow, *, short: bool = False) -> str:
    """When a run started; ``~`` in front when only its file's time says so. ``short`` is
    month-day and time to the second (``11-22 02:02:34``)."""
    mark = "~" if row.time_from_file else ""
    if short:
        at = row.started_at
        return mark + (at.strftime("%m-%d %H:%M:%S") if at is not None else "-")
    return mark + timestamp(row.started_at)


def runs_text(rows: list[RunRow], stats: list[WorkflowStats]) -> str:
    """A table of runs, then one line per workflow."""
    lines = [f"{len(rows)} runs"]
    for row in rows:
        failure = ""
        if row.failing_node or row.error_line:
            failure = shorten(safe_line(f"{row.failing_node or ''}: {row.error_line or ''}"), 70)
        lines.append(
            f"  {GLYPH[row.status]} {WORD[row.status]:<9} {started(row):<24} "
            f"{seconds(row.duration):>9}  {pad(safe_line(row.name), 28)} "
            f"{pad(safe_line(row.trace.dialect), 13)} {failure}"
        )
    lines.append("")
    lines.append(f"{'workflow':<30} {'runs':>5} {'failed':>7} {'rate':>6} {'P50':>9} {'P95':>9}")
    for stat in stats:
        lines.append(
            f"{pad(safe_line(stat.name), 30)} {stat.runs:>5} {stat.failed:>7} "
            f"{stat.failure_rate * 100:>5.0f}% {seconds(stat.p50):>9} {seconds(stat.p95):>9}"
        )
    return "\n".join(lines) + "\n"
