"""The chain of work that decided how long a run took."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from tracetui.model import NODE, STEP, Span, Status, Trace

# Nodes that did no work cannot be on the path that decided the run's length.
_NEVER_RAN = frozenset({Status.SKIPPED, Status.CANCELLED, Status.CACHED})


@dataclass(slots=True)
class CriticalPath:
    """Span indices from first to last, and where the ordering came from."""

    spans: list[int]
    basis: str  # "dagron step order" or "inferred from timing"
    duration_s: float

    @property
    def inferred(self) -> bool:
        """True when the path was guessed from timing rather than real dependencies."""
        return self.basis.startswith("inferred")


def critical_path(trace: Trace) -> CriticalPath:
    """From real level order where the trace has it, otherwise inferred from timing."""
    steps = [s for s in trace.spans if s.kind == STEP]
    if steps:
        return _from_steps(trace, steps)
    if trace.dialect == "cfn":
        return _in_sequence(trace)
    return _from_timing(
        [
            s
            for s in trace.nodes()
            if s.end is not None and s.start is not None and s.status not in _NEVER_RAN
        ]
    )


def _from_steps(trace: Trace, steps: list[Span]) -> CriticalPath:
    """Each level waits for all its nodes, so the path is each level's slowest node."""
    path: list[int] = []
    total = 0.0
    spans = trace.spans
    ordered = sorted(steps, key=lambda s: s.attributes.get("step_index", s.index))
    for step in ordered:
        # The node that ran longest: its wall time, else its reported duration (first wins ties).
        longest: Span | None = None
        most = 0.0
        for child in step.children:
            node = spans[child]
            if node.kind != NODE or node.status in _NEVER_RAN:
                continue
            start, end = node.start, node.end
            length = end - start if start is not None and end is not None else node.duration
            if length is not None and (longest is None or length > most):
                longest, most = node, length
        if longest is not None:
            path.append(longest.index)
            total += most
    return CriticalPath(path, "dagron step order", total)


def _in_sequence(trace: Trace) -> CriticalPath:
    """claude-flow records the steps of a trace one after another: every step that did work is
    on the path, and the path lasts as long as their durations together."""
    ran = [s for s in trace.nodes() if s.status not in _NEVER_RAN]
    total = sum(s.duration if s.duration is not None else s.wall or 0.0 for s in ran)
    return CriticalPath([s.index for s in ran], "claude-flow steps, one after another", total)


def _from_timing(spans: list[Span]) -> CriticalPath:
    """Walk back from the last span to end, each time to the latest span ending before it
    (``spans`` in index order)."""
    if not spans:
        return CriticalPath([], "inferred from timing", 0.0)
    # By end, ties in index order (the spans come in it and the sort is stable); the keys are
    # floats read by a C method, not tuples made by a Python function.
    all_ends = [s.end or 0.0 for s in spans]
    order = sorted(range(len(spans)), key=all_ends.__getitem__)
    by_end = [spans[i] for i in order]
    ends = [all_ends[i] for i in order]
    current = by_end[-1]
    path = [current.index]
    on_path = {current.index}
    while True:
        start = current.start or 0.0
        position = bisect_right(ends, start) - 1
        if position < 0 or by_end[position].index in on_path:
            break
        current = by_end[position]
        path.append(current.index)
        on_path.add(current.index)
    path.reverse()
    first = next(s for s in spans if s.index == path[0])
    total = (by_end[-1].end or 0.0) - (first.start or 0.0)
    return CriticalPath(path, "inferred from timing", total)
