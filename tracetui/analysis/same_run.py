"""When two loaded traces are one run written twice: dagron users keep a run's events
(``*.events.json``) beside its Chrome export (``*.chrome.json``)."""

from __future__ import annotations

from tracetui.model import Trace, TraceSet

# Node start times of the two forms agree to the microsecond (the export writes µs floats).
_PLACES = 6


def _node_keys(trace: Trace) -> frozenset[tuple[str, float]]:
    return frozenset(
        (span.name, round(span.start, _PLACES)) for span in trace.nodes() if span.start is not None
    )


def _is_dagron_export(trace: Trace) -> bool:
    return trace.dialect == "chrome" and trace.attributes.get("producer") == "dagron"


def second_forms(sources: list[TraceSet]) -> set[int]:
    """The ``id()`` of every dagron Chrome export whose run is also loaded as dagron events:
    every node of the export is in the events, by name and start time (the export leaves
    skipped and cancelled nodes out, so the events may hold more). The events form is the
    fuller one and is kept."""
    found: set[int] = set()
    exports = [t for traces in sources for t in traces.traces if _is_dagron_export(t)]
    if not exports:  # nothing can be a second form: no run's nodes need keying
        return found
    events_by_node: dict[tuple[str, float], list[frozenset[tuple[str, float]]]] = {}
    for traces in sources:
        for trace in traces.traces:
            if trace.dialect == "dagron":
                keys = _node_keys(trace)
                for key in keys:
                    events_by_node.setdefault(key, []).append(keys)
    if not events_by_node:
        return found
    for trace in exports:
        keys = _node_keys(trace)
        if not keys:
            continue
        probe = min(keys)
        if any(keys <= candidate for candidate in events_by_node.get(probe, ())):
            found.add(id(trace))
    return found


def same_run(one: Trace, other: Trace) -> bool:
    """Whether two loaded traces are one run: the same object, the same id and start, the
    same file, or a dagron run and its Chrome export (either way round)."""
    if one is other:
        return True
    if one.id is not None and (one.id, one.started_at) == (other.id, other.started_at):
        return True
    if one.source == other.source and one.id == other.id and one.name == other.name:
        return True
    if {one.dialect, other.dialect} == {"dagron", "chrome"}:
        events, export = (one, other) if one.dialect == "dagron" else (other, one)
        keys = _node_keys(export)
        return _is_dagron_export(export) and bool(keys) and keys <= _node_keys(events)
    return False
