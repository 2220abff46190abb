"""What every loader module provides, and helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from tracetui.errors import RecordError, TraceError
from tracetui.loaders.fields import record_label
from tracetui.model import Status, Trace
from tracetui.source import Document


class Loader(Protocol):
    """A dialect's loader: detection by content and translation into the model."""

    DIALECT: str
    KINDS: frozenset[str]

    def detect(self, doc: Document) -> bool:
        """True when the document is in this dialect."""
        ...

    def load(self, doc: Document) -> list[Trace]:
        """The traces the document holds."""
        ...


def sample(values: list[Any], count: int = 5) -> list[Any]:
    """A few elements from the start of a list, for detection."""
    return values[:count]


def holds(doc: Document, is_record: Callable[[Any], bool]) -> bool:
    """True when the document is one such record, or an array / JSON lines of them."""
    if isinstance(doc.value, dict):
        return is_record(doc.value)
    return (
        isinstance(doc.value, list)
        and bool(doc.value)
        and all(is_record(v) for v in sample(doc.value))
    )


def records(doc: Document) -> Iterator[tuple[int, int | None, Any]]:
    """(position, line or None, value) for each record of a list-shaped document."""
    values = doc.value if isinstance(doc.value, list) else [doc.value]
    lines = doc.lines
    for position, value in enumerate(values):
        yield position, (lines[position] if lines else None), value


def load_each(
    doc: Document, is_record: Callable[[Any], bool], load_one: Callable[[dict[str, Any]], Trace]
) -> list[Trace]:
    """Load one trace per top-level record; malformed ones become warnings, not a crash."""
    traces: list[Trace] = []
    problems: list[str] = []
    for position, line, value in records(doc):
        label = record_label(position, line)
        if not isinstance(value, dict) or not is_record(value):
            problems.append(f"{label}: not a trace of this dialect, skipped")
            continue
        try:
            traces.append(load_one(value))
        except RecordError as exc:
            problems.append(f"{label}: {exc}, skipped")
    if not traces:
        raise TraceError(problems[0] if problems else "no traces in the file")
    if problems:
        for trace in traces:
            trace.warnings.extend(problems)
    return traces


# Worst first: a run's status is its worst node's when the source gives no run status.
_SEVERITY = (Status.FAILED, Status.TIMED_OUT, Status.CANCELLED, Status.RUNNING)


def worst_status(statuses: Iterable[Status], default: Status = Status.OK) -> Status:
    """The most severe status among the given ones, or ``default`` when none stands out."""
    seen = set(statuses)
    for status in _SEVERITY:
        if status in seen:
            return status
    if not seen:
        return Status.UNKNOWN
    return default


def roll_up(trace: Trace, kind: str) -> None:
    """Give each group span of ``kind`` (a dagron step) the status of what it holds: the worst
    failure (failed, timed out, cancelled) or running among its spans when there is one, else
    the one status all of them share (all skipped, all cached). The group's own word is kept as
    the ``recorded_status`` attribute when it changes."""
    for group in trace.spans:
        if group.kind != kind or not group.children:
            continue
        held = {trace.spans[c].status for c in group.children}
        worst = next((status for status in _SEVERITY if status in held), None)
        if worst is None and len(held) == 1 and Status.UNKNOWN not in held:
            worst = next(iter(held))
        if worst is not None and worst is not group.status:
            group.attributes["recorded_status"] = group.status.value
            group.status = worst


_GATE_WORDS = {
    "rejected": Status.FAILED,
    "denied": Status.FAILED,
    "declined": Status.FAILED,
    "failed": Status.FAILED,
    "timeout": Status.TIMED_OUT,
    "timed_out": Status.TIMED_OUT,
    "expired": Status.TIMED_OUT,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
}


def gate_outcome(metadata: dict[str, object]) -> tuple[Status, str | None]:
    """A resolved gate's status and error from what its resolution says: ``approved: false``
    or a decision, status, outcome or result word such as rejected, denied or timeout; the
    reason, message, error or comment is its error text."""
    reason = next(
        (
            str(metadata[key])
            for key in ("reason", "message", "error", "comment")
            if metadata.get(key) not in (None, "")
        ),
        None,
    )
    for key in ("decision", "status", "outcome", "result", "resolution"):
        word = metadata.get(key)
        if isinstance(word, str) and word.strip().lower() in _GATE_WORDS:
            status = _GATE_WORDS[word.strip().lower()]
            return status, reason or f"gate {word.strip().lower()}"
    if metadata.get("approved") is False:
        return Status.FAILED, reason or "gate rejected"
    return Status.OK, None


def finish_duration(trace: Trace) -> None:
    """Fill in the trace duration from its extent when the source gave none."""
    if trace.duration is None:
        extent = trace.extent()
        if extent is not None:
            trace.duration = extent[1] - min(extent[0], 0.0)


def occurrence_key(seen: dict[str, int], key: str) -> str:
    """``key`` the first time, ``key#2`` the second time, and so on."""
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}#{count}"


def dedupe_keys(trace: Trace) -> None:
    """Give repeated span keys an occurrence suffix (``name#2``) so every key is unique."""
    seen: dict[str, int] = {}
    for span in trace.spans:
        key = occurrence_key(seen, span.key)
        if key != span.key:
            span.attributes.setdefault("occurrence", seen[span.key])
            span.key = key
