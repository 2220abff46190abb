"""The runs list's columns for a given width: which to show, and how wide each is. Nothing is
cut mid-value: a column that does not fit gives way whole, in a fixed order, and one whose
value is the same on every row (one dialect) gives way first."""

from __future__ import annotations

from dataclasses import dataclass

# (column, width); the name and the failure share what is left.
STATUS = ("status", 12)
DIALECT = ("dialect", 14)
STARTED = ("started", 25)
STARTED_SHORT = ("started_short", 15)  # 11-22 02:02:34, when the full time does not fit
DURATION = ("duration", 10)
NODES = ("nodes", 7)
MARK = 4  # cursor, mark letter, space
NAME_MIN, NAME_MAX = 12, 32
FAILURE_MIN = 16


@dataclass(frozen=True, slots=True)
class RunColumns:
    """The columns shown, in order, and the name column's width."""

    shown: tuple[str, ...]
    name: int
    failure: int

    def has(self, column: str) -> bool:
        """Whether the column is shown."""
        return column in self.shown


def run_columns(width: int, dialects: int) -> RunColumns:
    """Columns for a list ``width`` cells wide over runs of ``dialects`` distinct dialects."""
    optional = [DURATION, STARTED, NODES, DIALECT]  # kept in this order of importance
    if dialects <= 1:
        optional.remove(DIALECT)  # the same on every row: says nothing
    kept = list(optional)
    while True:
        fixed = MARK + STATUS[1] + sum(w for _, w in kept)
        room = width - fixed
        if room >= NAME_MIN + FAILURE_MIN or not kept:
            break
        dropped = kept.pop()  # the least important column gives way
        if dropped == STARTED:
            kept.append(STARTED_SHORT)
    name = max(NAME_MIN, min(NAME_MAX, room // 2))
    failure = max(0, room - name - 1)
    names = {column for column, _ in kept}
    order = ["status", "name"]
    order += [c for c, _ in (DIALECT, STARTED, STARTED_SHORT, DURATION, NODES) if c in names]
    return RunColumns((*order, "failure"), name, failure)
