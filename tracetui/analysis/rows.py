"""The explorer's rows, computed outside the UI: flatten, fold, filter, sort, find."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from tracetui.model import Span, Status, Trace


class SortKey(StrEnum):
    """How siblings are ordered."""

    START = "start"
    DURATION = "duration"
    NAME = "name"
    SOURCE = "source"


@dataclass(frozen=True, slots=True)
class Row:
    """One visible line: a span at a depth, and whether it can fold."""

    span: int
    depth: int
    has_children: bool
    expanded: bool
    context: bool = False  # shown only because a descendant matches the filter


def _start_key(span: Span) -> tuple[bool, float, int]:
    start = span.start if span.start is not None else span.end
    return (start is None, start if start is not None else 0.0, span.index)


def _duration_key(span: Span) -> tuple[float, int]:
    elapsed = span.elapsed
    return (-(elapsed if elapsed is not None else -1.0), span.index)


def _name_key(span: Span) -> tuple[str, int]:
    return (span.name.casefold(), span.index)


@dataclass
class RowModel:
    """Fold state, status filter and sort order over one trace; ``rows()`` is what to draw."""

    trace: Trace
    collapsed: set[int] = field(default_factory=set)
    status_filter: frozenset[Status] | None = None
    sort: SortKey = SortKey.START
    _children: dict[SortKey, tuple[list[int], list[list[int]]]] = field(default_factory=dict)
    _rows: list[Row] | None = None

    def invalidate(self) -> None:
        """Forget the computed rows after a change of fold, filter or sort."""
        self._rows = None

    def ordered(self) -> tuple[list[int], list[list[int]]]:
        """Roots and each span's children, in the current sort order."""
        cached = self._children.get(self.sort)
        if cached is not None:
            return cached
        spans = self.trace.spans
        key = {
            SortKey.START: _start_key,
            SortKey.DURATION: _duration_key,
            SortKey.NAME: _name_key,
            SortKey.SOURCE: lambda s: s.index,
        }[self.sort]

        def arrange(indices: Iterable[int]) -> list[int]:
            chosen = [spans[i] for i in indices]
            chosen.sort(key=key)
            return [s.index for s in chosen]

        roots = arrange(s.index for s in spans if s.parent is None)
        children = [arrange(s.children) if s.children else [] for s in spans]
        self._children[self.sort] = (roots, children)
        return roots, children

    def rows(self) -> list[Row]:
        """The visible rows, top to bottom."""
        if self._rows is None:
            self._rows = self._flatten()
        return self._rows

    def _flatten(self) -> list[Row]:
        roots, children = self.ordered()
        spans = self.trace.spans
        keep: set[int] | None = None
        if self.status_filter is not None:
            keep = set()
            for span in spans:
                if span.status in self.status_filter:
                    index: int | None = span.index
                    while index is not None and index not in keep:
                        keep.add(index)
                        index = spans[index].parent
        wanted = self.status_filter
        rows: list[Row] = []
        stack: list[tuple[int, int]] = [(i, 0) for i in reversed(roots)]
        while stack:
            index, depth = stack.pop()
            if keep is not None and index not in keep:
                continue
            kids = children[index]
            if keep is not None:
                kids = [k for k in kids if k in keep]
            # A filter opens the way to every match; otherwise folding is the user's.
            expanded = bool(kids) and (keep is not None or index not in self.collapsed)
            context = wanted is not None and spans[index].status not in wanted
            rows.append(Row(index, depth, bool(kids), expanded, context))
            if expanded:
                stack.extend((k, depth + 1) for k in reversed(kids))
        return rows

    def toggle(self, span: int) -> None:
        """Fold an open span or unfold a folded one."""
        if span in self.collapsed:
            self.collapsed.discard(span)
        else:
            self.collapsed.add(span)
        self.invalidate()

    def set_folded(self, span: int, folded: bool) -> None:
        """Fold or unfold one span."""
        if folded:
            self.collapsed.add(span)
        else:
            self.collapsed.discard(span)
        self.invalidate()

    def fold_all(self, folded: bool) -> None:
        """Fold or unfold every span that has children."""
        if folded:
            self.collapsed = {s.index for s in self.trace.spans if s.children}
        else:
            self.collapsed.clear()
        self.invalidate()

    def reveal(self, span: int) -> None:
        """Unfold the ancestors of a span so that it is visible."""
        parent = self.trace.spans[span].parent
        changed = False
        while parent is not None:
            if parent in self.collapsed:
                self.collapsed.discard(parent)
                changed = True
            parent = self.trace.spans[parent].parent
        if changed:
            self.invalidate()

    def set_filter(self, statuses: frozenset[Status] | None) -> None:
        """Show only spans in these statuses (with their ancestors), or everything."""
        self.status_filter = statuses
        self.invalidate()

    def set_sort(self, sort: SortKey) -> None:
        """Order siblings by start, duration, name or source order."""
        self.sort = sort
        self.invalidate()

    def row_of(self, span: int) -> int | None:
        """The row position showing a span, if visible."""
        for position, row in enumerate(self.rows()):
            if row.span == span:
                return position
        return None

    def tree_order(self) -> list[int]:
        """Every span in display order as if nothing were folded (for next/previous jumps)."""
        roots, children = self.ordered()
        order: list[int] = []
        stack = list(reversed(roots))
        while stack:
            index = stack.pop()
            order.append(index)
            stack.extend(reversed(children[index]))
        return order

    def passes_filter(self, span: int) -> bool:
        """True when the span is shown under the current filter."""
        return self.status_filter is None or self.trace.spans[span].status in self.status_filter


def find(trace: Trace, query: str) -> set[int]:
    """Spans whose name, key or error contains the query, ignoring case."""
    needle = query.casefold().strip()
    if not needle:
        return set()
    return {
        s.index
        for s in trace.spans
        if needle in s.name.casefold()
        or needle in s.key.casefold()
        or (s.error is not None and needle in s.error.casefold())
    }


def failures(trace: Trace) -> set[int]:
    """Spans that failed, timed out or were cancelled."""
    return {s.index for s in trace.spans if s.status.is_failure}


def next_in_order(
    order: list[int], targets: set[int], current: int | None, step: int
) -> int | None:
    """The next (step=1) or previous (step=-1) target after ``current`` in ``order``, wrapping."""
    if not targets:
        return None
    candidates = [i for i in order if i in targets]
    if current is None or current not in order:
        return candidates[0] if step > 0 else candidates[-1]
    position = order.index(current)
    ranked = {index: n for n, index in enumerate(order)}
    if step > 0:
        after = [i for i in candidates if ranked[i] > position]
        return after[0] if after else candidates[0]
    before = [i for i in candidates if ranked[i] < position]
    return before[-1] if before else candidates[-1]
