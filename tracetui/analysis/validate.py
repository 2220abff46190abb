"""Consistency checks on loaded traces: a finding names what is wrong and where."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tracetui.model import CUT_PARENTS_NOTE, NODE, Span, Status, Trace, TraceSet

# Timestamps within this much of each other are the same instant (float noise).
EPSILON = 1e-9
_SORTED_DIALECTS = frozenset({"dagron", "victor-engine", "graphenix"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency: what it is and where it is."""

    check: str
    what: str
    where: str


def validate(traces: TraceSet) -> list[Finding]:
    """Every finding across the traces of a source, loader warnings included."""
    findings = [Finding("unreadable record", w, traces.source) for w in traces.warnings]
    ids = Counter((t.id, t.started_at) for t in traces.traces if t.id is not None)
    for (trace_id, _), count in sorted(ids.items(), key=lambda item: str(item[0])):
        if count > 1:
            findings.append(
                Finding("duplicate id", f"trace id appears {count} times", f"trace {trace_id}")
            )
    for trace in traces.traces:
        findings.extend(validate_trace(trace))
    return findings


def _where(trace: Trace, name: str) -> str:
    prefix = f"trace {trace.id}: " if trace.id else ""
    return f"{prefix}{name}"


def validate_trace(trace: Trace) -> list[Finding]:
    """Findings for one trace."""
    findings = [
        Finding("unreadable record", w, _where(trace, "load"))
        for w in trace.warnings
        if not w.startswith(CUT_PARENTS_NOTE)
    ]
    for index in trace.cut_parents:
        span = trace.spans[index]
        findings.append(
            Finding(
                "parent cycle",
                "its parent link closed a cycle or named no span; cut",
                _where(trace, f"{span.kind} {span.key!r}"),
            )
        )
    for span in trace.spans:
        findings.extend(span_findings(trace, span))
    unknown = Counter(e.type for e in trace.events if e.kind == "unknown")
    for etype, count in sorted(unknown.items()):
        findings.append(
            Finding("unknown event type", f"{etype!r} ({count} events)", _where(trace, "events"))
        )
    if trace.dialect in _SORTED_DIALECTS:
        findings.extend(_unsorted(trace))
    findings.extend(_duplicates(trace))
    if trace.dialect == "graphenix":
        findings.extend(_graphenix_unknown_nodes(trace))
    return findings


def span_findings(trace: Trace, span: Span) -> list[Finding]:
    """What one span's own record contradicts (for validate, and for the detail pane, where
    it matters): ends before it starts, an impossible duration, an orphan, never ended."""
    findings: list[Finding] = []
    run_ended = trace.status is not Status.RUNNING
    where = _where(trace, f"{span.kind} {span.key!r}")
    if span.start is not None and span.end is not None and span.end < span.start - EPSILON:
        findings.append(
            Finding(
                "ends before it starts",
                f"ends {span.start - span.end:.6f}s before it starts",
                where,
            )
        )
    if span.duration is not None and span.duration < 0:
        findings.append(Finding("negative duration", f"duration {span.duration:.6f}s", where))
    wall = span.wall
    if (
        span.duration is not None
        and wall is not None
        and wall >= 0
        and span.duration > wall + 1e-6
        and trace.dialect == "dagron"
    ):
        findings.append(
            Finding(
                "impossible duration",
                f"run time {span.duration:.6f}s is longer than its started-to-ended span"
                f" {wall:.6f}s",
                where,
            )
        )
    if (
        span.kind == NODE
        and span.duration is not None
        and trace.duration
        and span.duration > trace.duration * 1.01 + 1e-6
        and trace.status is not Status.RUNNING
    ):
        findings.append(
            Finding(
                "impossible duration",
                f"lasts {span.duration:.6f}s, longer than the whole run ({trace.duration:.6f}s)",
                where,
            )
        )
    orphan = span.attributes.get("orphan")
    if orphan:
        findings.append(Finding("orphan event", str(orphan), where))
    if span.status is Status.RUNNING and run_ended and span.start is not None:
        findings.append(Finding("unmatched begin", "started but never ended", where))
    return findings


def _unsorted(trace: Trace) -> list[Finding]:
    findings = []
    previous: float | None = None
    for event in trace.events:
        if event.time is None:
            continue
        if previous is not None and event.time < previous - EPSILON:
            findings.append(
                Finding(
                    "unsorted timestamps",
                    f"event {event.index} ({event.type}) is {previous - event.time:.6f}s earlier"
                    " than the one before it",
                    _where(trace, f"event {event.index}"),
                )
            )
            if len(findings) >= 20:
                break
        previous = event.time
    return findings


def _duplicates(trace: Trace) -> list[Finding]:
    findings = []
    if trace.dialect == "victor":
        counted = Counter(s.name for s in trace.nodes())
        for name, count in counted.items():
            if count > 1:
                findings.append(
                    Finding(
                        "duplicate id",
                        f"node_id appears {count} times",
                        _where(trace, f"node {name!r}"),
                    )
                )
    if trace.dialect == "graphenix":
        ids = Counter(
            event_id
            for event_id in (e.attributes.get("id") for e in trace.events)
            if isinstance(event_id, str | int) and event_id != ""
        )
        for event_id, count in ids.items():
            if count > 1:
                findings.append(
                    Finding(
                        "duplicate id",
                        f"event id appears {count} times",
                        _where(trace, f"event {event_id!r}"),
                    )
                )
    return findings


def _graphenix_unknown_nodes(trace: Trace) -> list[Finding]:
    """Events naming a node absent from a non-empty ``nodeExecutions``, or another's unit."""
    raw = trace.raw if isinstance(trace.raw, dict) else {}
    declared = raw.get("nodeExecutions")
    known = declared if isinstance(declared, dict) and declared else None
    findings = []
    for event in trace.events:
        where = _where(trace, f"event {event.attributes.get('id', event.index)}")
        node_id = event.attributes.get("nodeId")
        if known is not None and isinstance(node_id, str) and node_id not in known:
            findings.append(
                Finding(
                    "unknown node",
                    f"event names {node_id!r}, which nodeExecutions does not list",
                    where,
                )
            )
        unit_id = event.attributes.get("unitId")
        if (
            isinstance(unit_id, str)
            and isinstance(node_id, str)
            and not unit_id.startswith(f"unit:{node_id}:")
        ):
            findings.append(
                Finding("unknown node", f"unit {unit_id!r} does not belong to {node_id!r}", where)
            )
    return findings
