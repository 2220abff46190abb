"""What the detail and summary panes say, as outlines (pure: no textual)."""

from __future__ import annotations

from tracetui.analysis.summary import Summary
from tracetui.analysis.validate import span_findings
from tracetui.display import GLYPH, WORD, seconds, status_label, timestamp
from tracetui.model import Span, Trace
from tracetui.text import pad, safe_line, shorten
from tracetui.view.outline import Node, json_node, text_lines


def status_style(span: Span) -> str:
    """The style name for a span's status."""
    return f"status-{span.status.value}"


def span_path(trace: Trace, index: int) -> str:
    """``parent / child`` names from the root down to a span, safe to draw."""
    return safe_line(trace.path(index))


def span_detail(trace: Trace, index: int) -> list[Node]:
    """Everything known about one span, as foldable sections."""
    span = trace.spans[index]
    title = Node(
        [
            (status_label(span.status), status_style(span)),
            ("  ", "muted"),
            (safe_line(span.name), "title"),
        ]
    )
    facts = [title]
    # The error first: on call, it is what the reader came for.
    if span.error is not None:
        error = Node([("Error", "heading-error")])
        lines = text_lines(span.error) if span.error else ["(empty error message)"]
        for line in lines:
            error.add((line, "error"))
        facts.append(error)
    facts.append(
        Node(
            [
                ("kind ", "muted"),
                (span.kind, "value"),
                ("   key ", "muted"),
                (safe_line(span.key), "value"),
            ]
        )
    )
    if span.parent is not None:
        # The parent by name: a step group too (paths leave steps out, which left it blank).
        parent = trace.spans[span.parent]
        under = span_path(trace, span.parent) or safe_line(parent.name)
        facts.append(Node([("under ", "muted"), (under, "value")], target=span.parent))
    timing = Node([("Timing", "heading")])
    timing.add(("start     ", "muted"), (_at(span.start), "number"))
    timing.add(("end       ", "muted"), (_at(span.end), "number"))
    if span.duration is not None:
        timing.add(
            ("duration  ", "muted"),
            (seconds(span.duration), "number"),
            ("  (as the source reports it)", "muted"),
        )
    if span.wall is not None and (span.duration is None or abs(span.wall - span.duration) > 1e-9):
        timing.add(
            ("span      ", "muted"), (seconds(span.wall), "number"), ("  (start to end)", "muted")
        )
        if span.duration is not None and span.wall > span.duration:
            timing.add(
                ("waiting   ", "muted"),
                (seconds(span.wall - span.duration), "number"),
                ("  (inside the span but not running)", "muted"),
            )
    facts.append(timing)
    claimed = span.attributes.get("claimed_start_s")
    if isinstance(claimed, int | float):
        timing.add(
            ("claimed   ", "muted"),
            (f"start {_at(float(claimed))}", "number"),
            (
                "  (its duration does not fit before its record: drawn from the step before)",
                "muted",
            ),
        )
    contradictions = span_findings(trace, span)
    if contradictions:
        # Where the source contradicts itself, say so beside what it contradicts.
        noted = Node(
            [("\u26a0 The source contradicts itself", "heading-error")],
        )
        for finding in contradictions:
            noted.add((f"{finding.check}: ", "error"), (safe_line(finding.what), "value"))
        facts.append(noted)
    if span.inputs is not None:
        facts.append(json_node("Inputs", span.inputs, folded_depth=3))
        facts[-1].segments[0] = ("Inputs", "heading")
    if span.outputs is not None:
        facts.append(json_node("Outputs", span.outputs, folded_depth=3))
        facts[-1].segments[0] = ("Outputs", "heading")
    if span.children:
        children = Node([("Children", "heading"), (f" ({len(span.children)})", "muted")])
        for child_index in span.children[:2000]:
            child = trace.spans[child_index]
            child_line = children.add(
                (GLYPH[child.status] + " ", status_style(child)),
                (f"{child.kind}: ", "muted"),
                (safe_line(child.name), "value"),
                (f"  {seconds(child.elapsed)}  {WORD[child.status]}", "muted"),
                target=child_index,
            )
            if child.error:
                for text in text_lines(child.error)[:20]:
                    child_line.add((text, "error"))
        facts.append(children)
    span_events = trace.events_of(span.index)
    if span_events:
        events = Node([("Events", "heading"), (f" ({len(span_events)})", "muted")])
        for event_index in span_events[:5000]:
            event = trace.events[event_index]
            event_line = events.add(
                (f"{_at(event.time):>12}  ", "number"),
                (safe_line(event.type), "value"),
                (f"  ({event.kind})" if event.kind != event.type else "", "muted"),
            )
            for key, value in event.attributes.items():
                event_line.children.append(json_node(safe_line(str(key)), value, folded_depth=1))
            event_line.folded = True
        facts.append(events)
    if span.attributes:
        facts.append(json_node("Attributes", span.attributes, folded_depth=2))
        facts[-1].segments[0] = ("Attributes", "heading")
    if span.raw is not None:
        raw = json_node("Source record", span.raw, folded_depth=1)
        raw.segments[0] = ("Source record", "heading")
        raw.folded = True
        facts.append(raw)
    return facts


def _at(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.6f}s"


def trace_summary(summary: Summary) -> list[Node]:
    """The run at a glance: counts, duration, slowest, tools, failures, steps, critical path."""
    trace = summary.trace
    head = Node(
        [
            (status_label(trace.status), f"status-{trace.status.value}"),
            ("  ", "muted"),
            (safe_line(trace.label), "title"),
        ]
    )
    nodes = [head]
    facts = Node([("Run", "heading")])
    facts.add(("dialect   ", "muted"), (trace.dialect, "value"))
    if trace.id:
        facts.add(("id        ", "muted"), (safe_line(trace.id), "value"))
    facts.add(("started   ", "muted"), (timestamp(trace.started_at), "value"))
    facts.add(("duration  ", "muted"), (seconds(trace.duration), "number"))
    facts.add(
        ("nodes     ", "muted"),
        (str(summary.node_count), "number"),
        ("   records ", "muted"),
        (str(trace.record_count), "number"),
    )
    if trace.error:
        facts.add(("error     ", "muted"), (shorten(safe_line(trace.error), 300), "error"))
    nodes.append(facts)
    counts = Node([("Status", "heading")])
    for status, count in summary.counts.items():
        if count:
            glyph_status = next(s for s in GLYPH if s.value == status)
            counts.add(
                (f"{status_label(glyph_status):<12}", f"status-{status}"), (f"{count:>8}", "number")
            )
    nodes.append(counts)
    if summary.failures:
        failed = Node([("Failures", "heading-error"), (f" ({len(summary.failures)})", "muted")])
        for span in summary.failures[:500]:
            line = failed.add(
                (GLYPH[span.status] + " ", status_style(span)),
                (span_path(trace, span.index), "value"),
                target=span.index,
            )
            first = span.first_error_line
            if first is not None:
                line.add((shorten(safe_line(first), 400) or "(empty error message)", "error"))
        nodes.append(failed)
    if summary.slowest:
        slow = Node([("Slowest", "heading")])
        for span in summary.slowest:
            slow.add(
                (f"{seconds(span.elapsed):>9}  ", "number"),
                (GLYPH[span.status] + " ", status_style(span)),
                (safe_line(span.name), "value"),
                target=span.index,
            )
        nodes.append(slow)
    if summary.critical.spans:
        critical = Node(
            [
                ("Critical path", "heading"),
                (f"  {summary.critical.basis}, {seconds(summary.critical.duration_s)}", "muted"),
            ]
        )
        for index in summary.critical.spans[:500]:
            span = trace.spans[index]
            critical.add(
                (f"{seconds(span.wall if span.wall is not None else span.elapsed):>9}  ", "number"),
                (safe_line(span.name), "value"),
                target=index,
            )
        nodes.append(critical)
    if summary.tools:
        tools = Node([("Tools", "heading")])
        for use in summary.tools[:50]:
            tools.add(
                (f"{use.calls:>5} calls  ", "number"),
                (safe_line(use.tool), "value"),
                (f"  {use.failed} failed" if use.failed else "", "error"),
            )
        nodes.append(tools)
    if summary.steps:
        steps = Node([("Steps", "heading")])
        for step in summary.steps:
            steps.add(
                (pad(safe_line(step.name), 10), "value"),
                (f"{seconds(step.duration_s):>9}", "number"),
                (
                    f"  {step.nodes} nodes" + (f", {step.failed} failed" if step.failed else ""),
                    "muted",
                ),
            )
        nodes.append(steps)
    placement = trace.attributes.get("placement")
    if isinstance(placement, str):
        nodes.append(
            Node([("\u26a0 Time axis  ", "heading-error"), (safe_line(placement), "value")])
        )
    contradictions = [f for span in trace.spans for f in span_findings(trace, span)]
    if contradictions:
        noted = Node(
            [
                ("\u26a0 Contradictions in the source", "heading-error"),
                (f" ({len(contradictions)}; tracetui validate lists them)", "muted"),
            ]
        )
        for finding in contradictions[:50]:
            noted.add(
                (f"{finding.check}: ", "error"),
                (safe_line(f"{finding.where}: {finding.what}"), "value"),
            )
        nodes.append(noted)
    if trace.warnings:
        warnings = Node([("Warnings", "heading-error"), (f" ({len(trace.warnings)})", "muted")])
        for warning in trace.warnings[:200]:
            warnings.add((safe_line(warning), "error"))
        nodes.append(warnings)
    return nodes
