"""``tracetui report``: the incident report, as one self-contained HTML file (inline SVG and
CSS, no scripts, every value escaped, prints well) or as markdown with its charts written as
SVG files beside it (pastes into a wiki or a ticket)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from tracetui.analysis.diff import Pair, change_word
from tracetui.analysis.report import Report
from tracetui.display import GLYPH, WORD, counted, seconds, timestamp
from tracetui.model import Status, source_name
from tracetui.reports.markdown import md
from tracetui.reports.svg import changes_svg, timeline_svg, trend_svg
from tracetui.text import safe, shorten

STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.muted { color: #666; } .status { font-weight: 600; white-space: nowrap; }
.failed, .timed_out { color: #b3261e; } .ok { color: #1e7a46; } .cancelled { color: #a8650a; }
pre { white-space: pre-wrap; background: #fbf1f1; padding: 8px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0; overflow-x: auto; } svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } figure { break-inside: avoid; }
  h2 { break-after: avoid; } }
"""


def _e(value: object) -> str:
    """A value as HTML text: escaped, control and format characters as stand-ins."""
    return escape(safe(str(value)), quote=True)


def _status(status: Status) -> str:
    return f'<span class="status {status.value}">{GLYPH[status]} {WORD[status]}</span>'


@dataclass(frozen=True, slots=True)
class Charts:
    """The report's pictures, as SVG text (empty when there is nothing to draw)."""

    timeline: str
    changes: str
    trend: str


def charts(report: Report) -> Charts:
    """Draw the report's charts."""
    return Charts(
        timeline=timeline_svg(report.trace, report.critical.spans),
        changes=changes_svg(report.largest) if report.largest else "",
        trend=trend_svg(report.trend, report.p50, report.p95) if len(report.trend) > 1 else "",
    )


def _facts(report: Report) -> str:
    """The run's known facts on one line: dialect, id, start, file."""
    trace = report.trace
    facts = [trace.dialect]
    if trace.id:
        facts.append(f"id {trace.id}")
    if trace.started_at is not None:
        facts.append(f"started {timestamp(trace.started_at)}")
    facts.append(source_name(report.source))
    return " · ".join(facts)


def _duration_line(report: Report) -> str:
    trace = report.trace
    text = f"lasted {seconds(trace.duration)}"
    spread = report.baseline
    if spread is not None and spread.median is not None:
        text += (
            f" against a baseline median of {seconds(spread.median)} over "
            f"{counted(spread.runs, 'run')} (from {seconds(spread.low)} to {seconds(spread.high)})"
        )
        if trace.duration is not None and spread.median:
            change = (trace.duration - spread.median) / spread.median * 100
            text += f", {change:+.0f}%"
    return text


def _first_failure_text(report: Report) -> tuple[str, str | None]:
    """(what, error) of the first failure, or what to say when there is none."""
    first = report.first_failure
    if first is None:
        return "Nothing failed.", None
    where = report.trace.path(first.index) or first.name
    at = first.end if first.end is not None else first.start
    when = f" at {seconds(at)} into the run" if at is not None else ""
    return f"The first failure was {where} ({WORD[first.status]}){when}.", first.error


def _after_text(report: Report) -> str:
    """What did not run to its end after the first failure. "After", not "because": only
    dagron's steps say what waits on what, and even they do not say it node by node."""
    if not report.after_failure:
        return ""
    names = ", ".join(f"{s.name} ({WORD[s.status]})" for s in report.after_failure[:12])
    more = " ..." if len(report.after_failure) > 12 else ""
    where = " in the steps after it" if report.dependencies_known else " after it"
    return f"Did not run to the end{where}: {names}{more}."


def _contradictions(report: Report) -> str:
    return (
        f"\u26a0 The trace contradicts itself in {counted(report.contradictions, 'place')} "
        "(a node longer than its run, say): tracetui validate lists them."
    )


def report_html(report: Report, pictures: Charts | None = None) -> str:
    """The report as one HTML document."""
    pictures = pictures or charts(report)
    trace = report.trace
    first, error = _first_failure_text(report)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(trace.label)}: {_e(WORD[trace.status])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_status(trace.status)} {_e(trace.label)}</h1>",
        f'<p class="muted">{_e(_facts(report))}</p>',
        "<h2>What happened</h2>",
        f"<p>The run {_e(WORD[trace.status])} and {_e(_duration_line(report))}.</p>",
        f"<p>{_e(first)}</p>",
    ]
    if error:
        parts.append(f"<pre>{_e(error)}</pre>")
    after = _after_text(report)
    if after:
        parts.append(f"<p>{_e(after)}</p>")
    if report.contradictions:
        parts.append(f"<p class='muted'>{_e(_contradictions(report))}</p>")
    if trace.error and trace.error != error:
        parts.append(f"<p>The run's own error:</p><pre>{_e(trace.error)}</pre>")
    parts += [
        "<h2>The run</h2>",
        f"<figure>{pictures.timeline}<figcaption class='muted'>Critical path "
        f"({_e(report.critical.basis)}, {_e(seconds(report.critical.duration_s))}): "
        f"{_e(' → '.join(trace.spans[i].name for i in report.critical.spans[:20]) or '-')}"
        "</figcaption></figure>",
        "<h2>What failed, and has it happened before</h2>",
    ]
    parts.append(_families_html(report))
    parts.append("<h2>What changed</h2>")
    parts.append(_changes_html(report, pictures))
    parts.append("<h2>The trend</h2>")
    if pictures.trend:
        parts.append(
            f"<figure>{pictures.trend}<figcaption class='muted'>{_e(_trend_caption(report))}"
            "</figcaption></figure>"
        )
    else:
        parts.append("<p class='muted'>No history given (--history PATH... or a database URL).</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _trend_caption(report: Report) -> str:
    return (
        f"{counted(len(report.trend), 'run')} of {report.trace.name or 'this workflow'}, oldest to "
        f"newest: P50 {seconds(report.p50)}, P95 {seconds(report.p95)}; this run is the "
        "large blue dot."
    )


def _seen_text(report: Report, position: int) -> str:
    seen = report.seen.get(position)
    if seen is None:
        return ""
    if not seen.runs:
        return f"not seen in the last {counted(seen.of, 'run')}"
    first = f", first on {timestamp(seen.first)}" if seen.first is not None else ""
    return f"seen in {seen.runs} of the last {counted(seen.of, 'run')}{first}"


def _families_html(report: Report) -> str:
    if not report.families:
        return "<p>No failures.</p>"
    rows = ["<table><tr><th>count</th><th>example</th><th>where</th><th>before</th></tr>"]
    for position, family in enumerate(report.families):
        where = ", ".join(dict.fromkeys(f.node for f in family.members))
        rows.append(
            f"<tr><td class='num'>{family.count}</td><td>{_e(family.example)}</td>"
            f"<td>{_e(shorten(where, 120))}</td><td>{_e(_seen_text(report, position))}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _changes_html(report: Report, pictures: Charts) -> str:
    if report.diff is None:
        return "<p class='muted'>No baseline given (--baseline PATH...).</p>"
    changes = report.changes
    against = counted(len(report.diff.baseline), "baseline run")
    parts = [f"<p>{_e(counted(len(changes), 'change'))} against {_e(against)}.</p>"]
    if changes:
        parts.append(
            "<table><tr><th>node</th><th>change</th><th>baseline</th><th>current</th>"
            "<th>status</th></tr>"
        )
        for pair in changes[:100]:
            parts.append(
                f"<tr><td>{_e(pair.path)}</td><td>{_e(change_word(pair) or 'changed')}</td>"
                f"<td class='num'>{_e(seconds(pair.seconds_before))}</td>"
                f"<td class='num'>{_e(seconds(pair.seconds_after))}</td>"
                f"<td>{_e(_statuses(pair))}</td></tr>"
            )
        parts.append("</table>")
    if pictures.changes:
        parts.append(
            f"<figure>{pictures.changes}<figcaption class='muted'>The largest changes in "
            "duration: baseline in grey above the current run.</figcaption></figure>"
        )
    return "".join(parts)


def _statuses(pair: Pair) -> str:
    before = WORD[pair.status_before] if pair.status_before else "-"
    after = WORD[pair.status_after] if pair.status_after else "-"
    return before if before == after else f"{before} → {after}"


def report_markdown(report: Report, stem: str) -> tuple[str, dict[str, str]]:
    """The report as markdown, and its charts as ``{file name: SVG}`` to write beside it
    (``stem`` names them: ``stem-timeline.svg``)."""
    pictures = charts(report)
    files = {f"{stem}-timeline.svg": pictures.timeline}
    trace = report.trace
    first, error = _first_failure_text(report)
    lines = [
        f"# {GLYPH[trace.status]} {md(trace.label)}: {WORD[trace.status]}",
        "",
        md(_facts(report)),
        "",
        "## What happened",
        "",
        f"The run {WORD[trace.status]} and {md(_duration_line(report))}. {md(first)}",
    ]
    if error:
        fence = "~~~"
        lines += ["", fence, safe(error).replace(fence, "~ ~ ~"), fence]
    after = _after_text(report)
    if after:
        lines += ["", md(after)]
    if report.contradictions:
        lines += ["", md(_contradictions(report))]
    lines += [
        "",
        "## The run",
        "",
        f"![timeline of {md(trace.label)}]({stem}-timeline.svg)",
        "",
        f"Critical path ({md(report.critical.basis)}, {seconds(report.critical.duration_s)}): "
        + (md(" → ".join(trace.spans[i].name for i in report.critical.spans[:20])) or "-"),
        "",
        "## What failed, and has it happened before",
        "",
    ]
    if report.families:
        lines += ["| count | example | before |", "|---:|---|---|"]
        for position, family in enumerate(report.families):
            lines.append(
                f"| {family.count} | {md(shorten(family.example, 160))} "
                f"| {md(_seen_text(report, position))} |"
            )
    else:
        lines.append("No failures.")
    lines += ["", "## What changed", ""]
    if report.diff is None:
        lines.append("No baseline given.")
    else:
        changes = report.changes
        lines.append(f"{counted(len(changes), 'change')} against the baseline.")
        if changes:
            lines += [
                "",
                "| node | change | baseline | current | status |",
                "|---|---|---:|---:|---|",
            ]
            for pair in changes[:100]:
                lines.append(
                    f"| {md(pair.path)} | {change_word(pair) or 'changed'} "
                    f"| {seconds(pair.seconds_before)} | {seconds(pair.seconds_after)} "
                    f"| {md(_statuses(pair))} |"
                )
        if pictures.changes:
            files[f"{stem}-changes.svg"] = pictures.changes
            lines += ["", f"![largest changes]({stem}-changes.svg)"]
    lines += ["", "## The trend", ""]
    if pictures.trend:
        files[f"{stem}-trend.svg"] = pictures.trend
        lines += [f"![duration of recent runs]({stem}-trend.svg)", "", md(_trend_caption(report))]
    else:
        lines.append("No history given.")
    return "\n".join(lines) + "\n", files
