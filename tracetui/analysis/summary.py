"""What happened in a run: counts, slowest nodes, failures, tools, steps."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from tracetui.analysis.critical_path import CriticalPath, critical_path
from tracetui.model import FAILURE_STATUSES, NODE, STEP, TOOL_CALL, Span, Status, Trace


@dataclass(slots=True)
class ToolUse:
    """How often one tool was called and how often it failed."""

    tool: str
    calls: int
    failed: int
    total_s: float


@dataclass(slots=True)
class StepTime:
    """A dagron level: its index, duration and node count."""

    name: str
    duration_s: float | None
    nodes: int
    failed: int


@dataclass(slots=True)
class Summary:
    """The headline facts about one trace."""

    trace: Trace
    counts: dict[str, int]
    slowest: list[Span]
    failures: list[Span]
    tools: list[ToolUse]
    steps: list[StepTime]
    critical: CriticalPath
    node_count: int
    busy_s: float = 0.0
    warnings: list[str] = field(default_factory=list)


def status_counts(spans: list[Span]) -> dict[str, int]:
    """Spans per final status, every status present (zero when none)."""
    counted = Counter([span.status for span in spans])
    return {status.value: counted.get(status, 0) for status in Status}


def slowest(spans: list[Span], limit: int = 10) -> list[Span]:
    """The spans with the longest duration, slowest first (ties by position)."""
    # Each span's elapsed time read once; the top few of a million without sorting them all.
    timed = [
        (-elapsed, span.index, span) for span in spans if (elapsed := span.elapsed) is not None
    ]
    return [span for _, _, span in heapq.nsmallest(limit, timed)]


def tool_usage(trace: Trace) -> list[ToolUse]:
    """Tool calls grouped by tool name, most called first."""
    uses: dict[str, ToolUse] = {}
    for span in trace.spans:
        if span.kind != TOOL_CALL:
            continue
        use = uses.get(span.name)
        if use is None:
            use = uses[span.name] = ToolUse(span.name, 0, 0, 0.0)
        use.calls += 1
        use.failed += span.status in FAILURE_STATUSES
        use.total_s += span.elapsed or 0.0
    # Most used first; equal counts keep first-seen order, as Victor's analyze_trace does.
    return sorted(uses.values(), key=lambda u: -u.calls)


def step_times(trace: Trace) -> list[StepTime]:
    """Per-level durations for traces that have levels (dagron steps)."""
    result = []
    spans = trace.spans
    for span in spans:
        if span.kind != STEP:
            continue
        nodes = failed = 0
        for child in span.children:
            node = spans[child]
            if node.kind == NODE:
                nodes += 1
                failed += node.status in FAILURE_STATUSES
        result.append(StepTime(span.name, span.elapsed, nodes, failed))
    return result


def summarize(trace: Trace, limit: int = 10) -> Summary:
    """Counts, slowest nodes, failures, tools, steps and critical path of a trace."""
    nodes = list(trace.nodes())
    failures = [
        s for s in trace.spans if s.status in FAILURE_STATUSES and s.kind in (NODE, TOOL_CALL)
    ]
    return Summary(
        trace=trace,
        counts=status_counts(nodes),
        slowest=slowest(nodes, limit),
        failures=failures,
        tools=tool_usage(trace),
        steps=step_times(trace),
        critical=critical_path(trace),
        node_count=len(nodes),
        busy_s=sum(s.elapsed or 0.0 for s in nodes),
        warnings=list(trace.warnings),
    )
