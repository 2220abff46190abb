"""``tracetui diff`` reports: text for a terminal, JSON for CI, markdown for an incident channel."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tracetui.analysis.diff import Change, Diff, Pair, change_word
from tracetui.display import GLYPH, WORD, counted, seconds
from tracetui.model import Status
from tracetui.reports.markdown import md
from tracetui.text import cells, pad, safe_line


def _flags(pair: Pair) -> list[str]:
    flags: list[str] = []
    change = pair.change
    if pair.significant or change is Change.ADDED or change is Change.REMOVED:
        flags.append(change)
    if pair.status_changed:
        flags.append("status_changed")
    if pair.newly_failing:
        flags.append("newly_failing")
    if pair.fixed:
        flags.append("fixed")
    if pair.regression:
        flags.append("regression")
    tools_before, tools_after = pair.tools_before, pair.tools_after
    if tools_before is not None and tools_after is not None and tools_before != tools_after:
        flags.append("tool_calls_changed")
    return flags


def pair_json(pair: Pair) -> dict[str, Any]:
    """Every number and flag of one aligned pair (statuses and changes are ``str`` enums)."""
    spread = pair.spread
    return {
        "path": pair.path,
        "name": pair.name,
        "kind": pair.kind,
        "change": pair.change,
        "significant": pair.significant,
        "flags": _flags(pair),
        "status_before": pair.status_before,
        "status_after": pair.status_after,
        "seconds_before": pair.seconds_before,
        "seconds_after": pair.seconds_after,
        # The source's own duration of the work (dagron: the task's run time), where the
        # compared seconds are start to end.
        "work_s_before": pair.work_before,
        "work_s_after": pair.work_after,
        "delta_s": pair.delta,
        "delta_percent": pair.percent,
        "baseline_runs": len(pair.before),
        "baseline_spread_s": [spread[0], spread[1]] if spread else None,
        "tool_calls_before": pair.tools_before,
        "tool_calls_after": pair.tools_after,
    }


def diff_json(result: Diff, baseline_sources: list[str], current_source: str) -> dict[str, Any]:
    """The whole diff: totals, thresholds and every aligned pair."""
    before, after = result.before, result.after
    return {
        "baseline": {"sources": baseline_sources, "runs": len(result.baseline)},
        "current": {"source": current_source, "id": result.current.id, "name": result.current.name},
        "measure": result.measure,
        "thresholds": {"seconds": result.thresholds.seconds, "percent": result.thresholds.percent},
        "totals": {
            "duration_before_s": before.duration_s,
            "duration_after_s": after.duration_s,
            "status_before": before.status.value,
            "status_after": after.status.value,
            "counts_before": before.counts,
            "counts_after": after.counts,
            "critical_path_before": before.critical_path,
            "critical_path_after": after.critical_path,
            "critical_path_basis": after.critical_basis,
        },
        "summary": {
            "pairs": len(result.pairs),
            "regressions": len(result.regressions()),
            "status_changes": len(result.status_changes()),
            "added": sum(1 for p in result.pairs if p.change is Change.ADDED),
            "removed": sum(1 for p in result.pairs if p.change is Change.REMOVED),
            "significant": len(result.changes()),
        },
        "pairs": [pair_json(p) for p in result.pairs],
    }


def _percent(pair: Pair) -> str:
    percent = pair.percent
    return f"{percent:+.0f}%" if percent is not None else ""


def _delta(pair: Pair) -> str:
    delta = pair.delta
    if delta is None:
        return ""
    return ("+" if delta > 0 else "") + seconds(delta)


def _state(status: Status | None) -> str:
    return f"{GLYPH[status]} {WORD[status]}" if status is not None else "-"


def interesting(result: Diff) -> list[Pair]:
    """Changed pairs, worst first: new failures, then by how much slower."""
    changed = result.changes()
    return sorted(
        changed,
        key=lambda p: (not p.newly_failing, not p.regression, -(p.delta or 0.0), p.path),
    )


def _path_text(names: list[str]) -> str:
    if not names:
        return "(none: no node did timed work)"
    return " \u2192 ".join(map(safe_line, names[:10])) + (" \u2192 ..." if len(names) > 10 else "")


def _kinds(rows: list[Pair]) -> str:
    """``: 2 added, 1 now failing, 3 slower``: what the changes are."""
    counts = Counter(change_word(pair) for pair in rows)
    named = {"": "other"}
    return (
        (": " + ", ".join(f"{n} {named.get(what, what)}" for what, n in counts.most_common()))
        if rows
        else ""
    )


def diff_text(result: Diff) -> str:
    """A terminal report: totals, then every significant change."""
    before, after = result.before, result.after
    runs = len(result.baseline)
    lines = [
        f"Baseline: {runs} run{'s' if runs != 1 else ''}"
        + (" (medians)" if runs > 1 else "")
        + f"   Current: {safe_line(result.current.label)}",
        f"Run: {_state(before.status)} -> {_state(after.status)}   "
        f"duration {seconds(before.duration_s)} -> {seconds(after.duration_s)}",
    ]
    changed_counts = [
        f"{k} {before.counts[k]}->{after.counts[k]}"
        for k in after.counts
        if before.counts.get(k) != after.counts.get(k)
    ]
    if changed_counts:
        lines.append("Counts: " + ", ".join(changed_counts))
    if before.critical_path != after.critical_path:
        lines.append("Critical path before: " + _path_text(before.critical_path))
        lines.append("Critical path after:  " + _path_text(after.critical_path))
    rows = interesting(result)
    lines.append(
        f"{counted(len(rows), 'change')}{_kinds(rows)}; a duration change counts past "
        f"{seconds(result.thresholds.seconds)} and {result.thresholds.percent:g}%, compared "
        f"{result.measure_text}"
    )
    width = min(50, max((cells(safe_line(p.path)) for p in rows), default=10))
    for pair in rows:
        lines.append(
            f"  {change_word(pair):<14} {pad(safe_line(pair.path), width)}  "
            f"{seconds(pair.seconds_before):>9} -> {seconds(pair.seconds_after):>9} "
            f"{_delta(pair):>10} {_percent(pair):>7}  "
            f"{_state(pair.status_before)} -> {_state(pair.status_after)}"
        )
    if not rows:
        lines.append("  no changes")
    return "\n".join(lines) + "\n"


def diff_markdown(result: Diff) -> str:
    """A markdown report to paste into an incident channel or a pull request."""
    before, after = result.before, result.after
    rows = interesting(result)
    regressions = len(result.regressions())
    title = md(result.current.label)
    lines = [
        f"### tracetui diff: {title}",
        "",
        f"**{counted(regressions, 'regression')}**, {counted(len(rows), 'change')}"
        f"{md(_kinds(rows))} (a duration change counts past "
        f"{seconds(result.thresholds.seconds)} and {result.thresholds.percent:g}%, compared "
        f"{result.measure_text}; baseline of {counted(len(result.baseline), 'run')})",
        "",
        "| | baseline | current |",
        "|---|---|---|",
        f"| status | {_state(before.status)} | {_state(after.status)} |",
        f"| duration | {seconds(before.duration_s)} | {seconds(after.duration_s)} |",
    ]
    for key in after.counts:
        if before.counts.get(key) or after.counts.get(key):
            lines.append(f"| {key} | {before.counts.get(key, 0)} | {after.counts.get(key, 0)} |")
    lines += [
        "",
        "| change | node | before | after | delta | status |",
        "|---|---|---|---|---|---|",
    ]
    for pair in rows[:100]:
        lines.append(
            f"| {change_word(pair)} | {md(pair.path)} | "
            f"{seconds(pair.seconds_before)} | {seconds(pair.seconds_after)} | "
            f"{_delta(pair)} {_percent(pair)} | "
            f"{_state(pair.status_before)} \u2192 {_state(pair.status_after)} |"
        )
    if len(rows) > 100:
        lines.append(f"\n_... and {len(rows) - 100} more_")
    if not rows:
        lines.append("| | no changes | | | | |")
    return "\n".join(lines) + "\n"
