"""A single self-contained HTML report: summary, timeline, failures, nodes. Every value escaped."""

from __future__ import annotations

from html import escape

from tracetui.analysis.summary import summarize
from tracetui.display import GLYPH, WORD, seconds, timestamp
from tracetui.model import Status, Trace, TraceSet
from tracetui.text import safe

COLOURS = {
    Status.OK: "#2e9e5b",
    Status.FAILED: "#d64545",
    Status.TIMED_OUT: "#c0392b",
    Status.CANCELLED: "#d68a1a",
    Status.SKIPPED: "#999999",
    Status.CACHED: "#3b7dd8",
    Status.RUNNING: "#8e44ad",
    Status.UNKNOWN: "#777777",
}
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { white-space: pre-wrap; background: #fbf1f1; padding: 6px 8px; margin: 4px 0; }
.timeline { position: relative; height: 14px; background: #f7f7f7; min-width: 240px; }
.bar { position: absolute; top: 2px; height: 10px; min-width: 2px; }
.status { white-space: nowrap; font-weight: 600; }
.muted { color: #777; }
"""


def _e(value: object) -> str:
    """A value as HTML text: escaped, with control and format characters shown as stand-ins."""
    return escape(safe(str(value)), quote=True)


def _status(status: Status) -> str:
    return (
        f'<span class="status" style="color:{COLOURS[status]}">'
        f"{_e(GLYPH[status])} {_e(WORD[status])}</span>"
    )


def _trace_html(trace: Trace) -> str:
    summary = summarize(trace)
    extent = trace.extent() or (0.0, 0.0)
    origin = min(extent[0], 0.0)
    width = max(extent[1] - origin, 1e-9)
    parts = [
        f"<h1>{_status(trace.status)} {_e(trace.label)}</h1>",
        f'<p class="muted">{_e(trace.dialect)} · id {_e(trace.id or "-")} · started '
        f"{_e(timestamp(trace.started_at))} · duration {_e(seconds(trace.duration))} · "
        f"{summary.node_count} nodes · {trace.record_count} records</p>",
    ]
    if trace.error:
        parts.append(f"<pre>{_e(trace.error)}</pre>")
    parts.append("<h2>Summary</h2><table><tr><th>status</th><th>nodes</th></tr>")
    parts += [
        f'<tr><td>{_e(status)}</td><td class="num">{count}</td></tr>'
        for status, count in summary.counts.items()
        if count
    ]
    parts.append("</table>")
    if summary.critical.spans:
        path = " → ".join(_e(trace.spans[i].name) for i in summary.critical.spans)
        parts.append(
            f"<p><b>Critical path</b> ({_e(summary.critical.basis)}, "
            f"{_e(seconds(summary.critical.duration_s))}): {path}</p>"
        )
    parts.append(f"<h2>Failures ({len(summary.failures)})</h2>")
    if summary.failures:
        parts.append("<table><tr><th>node</th><th>status</th><th>error</th></tr>")
        for span in summary.failures:
            parts.append(
                f"<tr><td>{_e(span.name)}</td><td>{_status(span.status)}</td>"
                f"<td><pre>{_e(span.error or '')}</pre></td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append('<p class="muted">none</p>')
    parts.append(
        "<h2>Timeline and nodes</h2><table><tr><th>node</th><th>kind</th>"
        "<th>status</th><th>start</th><th>duration</th><th>timeline</th></tr>"
    )
    for span in trace.spans:
        depth = 0
        parent = span.parent
        while parent is not None:
            depth += 1
            parent = trace.spans[parent].parent
        bar = ""
        start = span.start if span.start is not None else span.end
        if start is not None:
            end = span.end if span.end is not None else extent[1]
            left = (start - origin) / width * 100
            size = max(0.0, (end - start) / width * 100)
            bar = (
                f'<div class="bar" style="left:{left:.3f}%;width:{size:.3f}%;'
                f'background:{COLOURS[span.status]}"></div>'
            )
        parts.append(
            f'<tr><td style="padding-left:{8 + depth * 16}px">{_e(span.name)}</td>'
            f"<td>{_e(span.kind)}</td><td>{_status(span.status)}</td>"
            f'<td class="num">{_e(seconds(span.start))}</td>'
            f'<td class="num">{_e(seconds(span.elapsed))}</td>'
            f'<td><div class="timeline">{bar}</div></td></tr>'
        )
    parts.append("</table>")
    if trace.warnings:
        parts.append("<h2>Warnings</h2><ul>")
        parts += [f"<li>{_e(w)}</li>" for w in trace.warnings]
        parts.append("</ul>")
    return "\n".join(parts)


def html_report(traces: TraceSet) -> str:
    """The whole report as one HTML document with its style inline."""
    title = _e(f"tracetui report: {traces.source}")
    body = "\n<hr>\n".join(_trace_html(t) for t in traces.traces)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>\n{body}\n"
        f'<p class="muted">Source: {_e(traces.source)} · generated by tracetui</p>'
        "</body></html>\n"
    )
