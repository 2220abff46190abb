"""``tracetui summary``: the headline facts of each trace, as text or as stable JSON."""

from __future__ import annotations

from typing import Any

from tracetui.analysis.summary import Summary, summarize
from tracetui.display import GLYPH, WORD, seconds, status_label, timestamp
from tracetui.model import STEP, Status, TraceSet
from tracetui.text import cells, pad, safe_line, shorten


def summary_json(traces: TraceSet, summaries: list[Summary] | None = None) -> dict[str, Any]:
    """The documented JSON shape of ``tracetui summary --json``."""
    summaries = summaries or [summarize(t) for t in traces.traces]
    return {
        "source": traces.source,
        "warnings": list(traces.warnings),
        "traces": [_trace_json(s) for s in summaries],
    }


def _trace_json(summary: Summary) -> dict[str, Any]:
    trace = summary.trace
    return {
        "dialect": trace.dialect,
        "id": trace.id,
        "name": trace.name,
        "status": trace.status.value,
        "started_at": trace.started_at.isoformat() if trace.started_at else None,
        "duration_s": trace.duration,
        "nodes": summary.node_count,
        "events": trace.record_count,
        "counts": summary.counts,
        "slowest": [{"node": s.name, "duration_s": s.elapsed} for s in summary.slowest],
        "failures": [
            {"node": s.name, "status": s.status.value, "error": s.error, "kind": s.kind}
            for s in summary.failures
        ],
        "tools": [{"tool": u.tool, "calls": u.calls, "failed": u.failed} for u in summary.tools],
        "critical_path": {
            "basis": summary.critical.basis,
            "duration_s": summary.critical.duration_s,
            "nodes": [trace.spans[i].name for i in summary.critical.spans],
        },
        "warnings": list(trace.warnings),
    }


def summary_text(traces: TraceSet, summaries: list[Summary] | None = None) -> str:
    """A readable summary of every trace in the source."""
    summaries = summaries or [summarize(t) for t in traces.traces]
    parts = []
    total = len(summaries)
    for position, summary in enumerate(summaries, 1):
        parts.append(_trace_text(summary, position, total))
    if traces.warnings:
        parts.append("Warnings:\n" + "\n".join(f"  ! {safe_line(w)}" for w in traces.warnings))
    return "\n\n".join(parts) + "\n"


def _name(text: str | None) -> str:
    return safe_line(text) if text else "-"


def _trace_text(summary: Summary, position: int, total: int) -> str:
    trace = summary.trace
    counts = summary.counts
    title = f"Trace {position} of {total}" if total > 1 else "Execution Trace Summary"
    lines = [
        f"{title}: {_name(trace.name)}  [{trace.dialect}]  {status_label(trace.status)}",
        f"  Trace id: {_name(trace.id)}",
        f"  Started: {timestamp(trace.started_at)}",
        f"  Duration: {seconds(trace.duration)}"
        + (f"  (busy {seconds(summary.busy_s)} summed over nodes)" if summary.node_count else ""),
        f"  Total events: {trace.record_count}",
        f"  Unique nodes: {summary.node_count}",
    ]
    for status in Status:
        if counts[status.value] or status in (
            Status.OK,
            Status.FAILED,
            Status.SKIPPED,
            Status.TIMED_OUT,
            Status.CANCELLED,
        ):
            lines.append(f"  {GLYPH[status]} {WORD[status].capitalize()}: {counts[status.value]}")
    if trace.error:
        lines.append(f"  Run error: {shorten(safe_line(trace.error), 200)}")
    if summary.slowest:
        lines.append("Slowest nodes:")
        width = min(40, max(cells(safe_line(s.name)) for s in summary.slowest))
        for rank, span in enumerate(summary.slowest, 1):
            name = pad(safe_line(span.name), width)
            lines.append(
                f"  {rank:>2}. {name}  {seconds(span.elapsed):>9}  {status_label(span.status)}"
            )
    if summary.failures:
        lines.append(f"Failures ({len(summary.failures)}):")
        for span in summary.failures[:50]:
            error = span.first_error_line
            detail = f": {shorten(safe_line(error), 160)}" if error else ""
            lines.append(
                f"  {GLYPH[span.status]} {_span_path(summary, span.index)} "
                f"({WORD[span.status]}){detail}"
            )
        if len(summary.failures) > 50:
            lines.append(f"  ... and {len(summary.failures) - 50} more")
    if summary.tools:
        lines.append("Most used tools:")
        for use in summary.tools[:10]:
            failed = f", {use.failed} failed" if use.failed else ""
            lines.append(f"  {shorten(safe_line(use.tool), 40)}: {use.calls} calls{failed}")
    if summary.steps:
        lines.append("Steps:")
        for step in summary.steps:
            failed = f", {step.failed} failed" if step.failed else ""
            lines.append(
                f"  {safe_line(step.name)}: {seconds(step.duration_s)} ({step.nodes} nodes{failed})"
            )
    if summary.critical.spans:
        names = [safe_line(trace.spans[i].name) for i in summary.critical.spans]
        shown = " \u2192 ".join(names[:12]) + (" \u2192 ..." if len(names) > 12 else "")
        lines.append(
            f"Critical path ({summary.critical.basis}, "
            f"{seconds(summary.critical.duration_s)}): {shown}"
        )
    if trace.warnings:
        lines.append("Warnings:")
        lines.extend(f"  ! {safe_line(w)}" for w in trace.warnings[:20])
    return "\n".join(lines)


def _span_path(summary: Summary, index: int) -> str:
    """``node / tool`` for nested spans, so a failing tool call names its node."""
    chain = [s for s in summary.trace.lineage(index) if s.kind != STEP][-4:]
    return " / ".join(shorten(safe_line(s.name), 40) for s in chain)
