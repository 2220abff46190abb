"""The status filters worth offering for a trace, each with its count."""

from __future__ import annotations

from tracetui.display import GLYPH, WORD
from tracetui.model import FAILURE_STATUSES, Status, Trace

# (option id, label, statuses or None for everything)
Choice = tuple[str, str, frozenset[Status] | None]


def choices(trace: Trace) -> list[Choice]:
    """The filters worth offering for a trace, with their span counts."""
    counts: dict[Status, int] = {}
    for span in trace.spans:
        counts[span.status] = counts.get(span.status, 0) + 1
    failing = sum(counts.get(s, 0) for s in FAILURE_STATUSES)
    result: list[Choice] = [
        ("all", f"  all statuses ({len(trace.spans)})", None),
        (
            "failures",
            f"\u2717 failures: failed, timed out, cancelled ({failing})",
            frozenset(FAILURE_STATUSES),
        ),
    ]
    for status in Status:
        if counts.get(status):
            result.append(
                (
                    status.value,
                    f"{GLYPH[status]} {WORD[status]} ({counts[status]})",
                    frozenset({status}),
                )
            )
    return result
