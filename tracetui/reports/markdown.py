"""Export the summary and failures as markdown, for incident channels."""

from __future__ import annotations

from tracetui.analysis.summary import summarize
from tracetui.display import GLYPH, WORD, seconds, timestamp
from tracetui.model import Span, Trace, TraceSet
from tracetui.text import safe, safe_line, shorten


def md(text: str) -> str:
    """Untrusted text that cannot break a table or start markdown markup."""
    escaped = safe_line(text).replace("\\", "\\\\")
    for char in "|`*_[]<>#":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def span_path(trace: Trace, span: Span) -> list[str]:
    """Names from the root down to the span (steps included, as they are upstream context)."""
    return [s.name for s in trace.lineage(span.index)]


def trace_markdown(trace: Trace) -> str:
    """One run: status, counts, slowest, failures, critical path."""
    summary = summarize(trace)
    title = md(trace.label)
    lines = [
        f"### {GLYPH[trace.status]} {title} ({WORD[trace.status]})",
        "",
        f"{trace.dialect} · started {timestamp(trace.started_at)} · "
        f"duration {seconds(trace.duration)} · {summary.node_count} nodes",
        "",
        "| status | nodes |",
        "|---|---|",
    ]
    lines += [f"| {status} | {count} |" for status, count in summary.counts.items() if count]
    if summary.failures:
        lines += ["", f"**Failures ({len(summary.failures)})**", ""]
        for span in summary.failures[:50]:
            where = " › ".join(md(n) for n in span_path(trace, span))
            error = span.first_error_line
            detail = f": `{shorten(safe_line(error), 200).replace('`', chr(39))}`" if error else ""
            lines.append(f"- {GLYPH[span.status]} **{where}** ({WORD[span.status]}){detail}")
    if summary.slowest:
        lines += ["", "**Slowest**", "", "| node | duration | status |", "|---|---|---|"]
        lines += [
            f"| {md(s.name)} | {seconds(s.elapsed)} | {WORD[s.status]} |"
            for s in summary.slowest[:10]
        ]
    if summary.critical.spans:
        path = " → ".join(md(trace.spans[i].name) for i in summary.critical.spans[:20])
        lines += ["", f"**Critical path** ({summary.critical.basis}): {path}"]
    return "\n".join(lines)


def markdown_report(traces: TraceSet) -> str:
    """Every run of the source."""
    return "\n\n".join(trace_markdown(t) for t in traces.traces) + "\n"


def node_markdown(trace: Trace, span: Span) -> str:
    """One node for a chat or ticket: status, error, timing and upstream path."""
    lines = [
        f"**{GLYPH[span.status]} {md(span.name)}** ({WORD[span.status]}) in "
        f"{md(trace.label)} [{trace.dialect}]",
        "",
        f"- upstream: {' › '.join(md(n) for n in span_path(trace, span))}",
        f"- start {seconds(span.start)} · end {seconds(span.end)} · "
        f"duration {seconds(span.elapsed)}"
        + (
            f" · started-to-ended {seconds(span.wall)}"
            if span.wall is not None
            and span.duration is not None
            and abs(span.wall - span.duration) > 1e-9
            else ""
        ),
    ]
    if trace.started_at is not None:
        lines.append(f"- run started {timestamp(trace.started_at)}")
    if span.error:
        fence = "~~~"
        body = safe(span.error).replace(fence, "~ ~ ~")
        lines += ["", fence, body, fence]
    return "\n".join(lines) + "\n"
