"""The explorer's rows, computed outside the UI: flatten, fold, filter, sort, find.

At a million spans every answer has to come from work done once: each sort order is laid
out once (a pre-order of the whole tree with depths and subtree ends, in compact arrays),
and folding, filtering, row look-up and next/previous jumps are slices, masks and
bisections over that layout.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress

from tracetui.model import FAILURE_STATUSES, STEP, LazySequence, Span, Status, Trace


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


def _start_value(span: Span) -> float:
    start = span.start if span.start is not None else span.end
    return float("inf") if start is None else start


def _duration_value(span: Span) -> float:
    elapsed = span.elapsed
    return -(elapsed if elapsed is not None else -1.0)


def sort_values(spans: list[Span], sort: SortKey) -> list[float] | list[str] | None:
    """Each span's sort value (ties keep source order, the sort being stable)."""
    if sort is SortKey.START:
        return [_start_value(s) for s in spans]
    if sort is SortKey.DURATION:
        return [_duration_value(s) for s in spans]
    if sort is SortKey.NAME:
        return [s.name.casefold() for s in spans]
    return None


class Layout:
    """The whole tree in one sort order, nothing folded: position -> span, depth, subtree end."""

    __slots__ = ("depth", "end", "order", "position")

    def __init__(self, spans: list[Span], sort: SortKey) -> None:
        values = sort_values(spans, sort)
        by_value: Callable[[int], float | str] | None = (
            values.__getitem__ if values is not None else None
        )
        order = array("i")
        depth = array("i")
        end = array("i", bytes(4 * len(spans)))
        position = array("i", bytes(4 * len(spans)))
        roots = [s.index for s in spans if s.parent is None]
        if by_value is not None:
            roots.sort(key=by_value)
        # Entries are span indices, or ~position to close that position's subtree.
        stack: list[int] = roots[::-1]
        depths: list[int] = [0] * len(stack)
        append_order = order.append
        append_depth = depth.append
        while stack:
            index = stack.pop()
            level = depths.pop()
            if index < 0:
                end[~index] = len(order)
                continue
            here = len(order)
            position[index] = here
            append_order(index)
            append_depth(level)
            kids = spans[index].children
            if not kids:
                end[here] = here + 1
                continue
            if by_value is not None and len(kids) > 1:
                kids = sorted(kids, key=by_value)
            stack.append(~here)
            depths.append(level)
            stack.extend(reversed(kids))
            depths.extend([level + 1] * len(kids))
        self.order = order
        self.depth = depth
        self.end = end
        self.position = position

    def __len__(self) -> int:
        return len(self.order)


class Rows(LazySequence[Row]):
    """The visible rows: positions of a layout, each made into a Row when asked for. They
    hold what they read of their model (its folds, filter and spans), not the model, which
    holds them: no reference cycle, so a run nobody shows any more is freed at once, even
    out of the collector's sight (``settle``)."""

    def __init__(
        self,
        model: RowModel,
        layout: Layout,
        visible: Sequence[int] | None,
        keep: bytearray | None,
    ) -> None:
        self._collapsed = model.collapsed
        self._status_filter = model.status_filter
        self._spans = model.trace.spans
        self._layout = layout
        self._visible = visible  # None: every position, in order
        self._keep = keep  # by position, under a filter

    def __len__(self) -> int:
        return len(self._layout) if self._visible is None else len(self._visible)

    def _item(self, row: int) -> Row:
        layout = self._layout
        position = row if self._visible is None else self._visible[row]
        span = layout.order[position]
        end = layout.end[position]
        keep = self._keep
        if keep is None:
            has_children = end > position + 1
            expanded = has_children and span not in self._collapsed
            return Row(span, layout.depth[position], has_children, expanded)
        has_children = keep.find(1, position + 1, end) >= 0
        wanted = self._status_filter
        context = wanted is not None and self._spans[span].status not in wanted
        return Row(span, layout.depth[position], has_children, has_children, context)

    def row_of_position(self, position: int) -> int | None:
        """The row showing a layout position, if visible."""
        if self._visible is None:
            return position
        row = bisect_left(self._visible, position)
        if row < len(self._visible) and self._visible[row] == position:
            return row
        return None


@dataclass
class RowModel:
    """Fold state, status filter and sort order over one trace; ``rows()`` is what to draw."""

    trace: Trace
    collapsed: set[int] = field(default_factory=set)
    status_filter: frozenset[Status] | None = None
    sort: SortKey = SortKey.START
    _layouts: dict[SortKey, Layout] = field(default_factory=dict)
    _rows: Rows | None = None
    _targets: dict[tuple[int, SortKey, frozenset[Status] | None], array[int]] = field(
        default_factory=dict
    )

    def invalidate(self) -> None:
        """Forget the computed rows after a change of fold, filter or sort."""
        self._rows = None

    def layout(self, sort: SortKey | None = None) -> Layout:
        """The tree laid out in a sort order (the current one by default), computed once."""
        sort = self.sort if sort is None else sort
        cached = self._layouts.get(sort)
        if cached is None:
            cached = self._layouts[sort] = Layout(self.trace.spans, sort)
        return cached

    def prepare(self) -> None:
        """Lay out every sort order ahead of time (for a background thread after first paint)."""
        for sort in SortKey:
            self.layout(sort)

    def rows(self) -> Rows:
        """The visible rows, top to bottom."""
        if self._rows is None:
            self._rows = self._flatten()
        return self._rows

    def _flatten(self) -> Rows:
        layout = self.layout()
        if self.status_filter is not None:
            keep = self._filter_mask(layout, self.status_filter)
            visible = array("i", compress(range(len(layout)), keep))
            return Rows(self, layout, visible, keep)
        if not self.collapsed:
            return Rows(self, layout, None, None)
        # Skip the inside of each folded subtree: whole runs of positions at a time.
        positions = sorted(layout.position[s] for s in self.collapsed)
        visible = array("i")
        start = 0
        for folded in positions:
            if folded < start:
                continue  # inside a subtree already skipped
            visible.extend(range(start, folded + 1))
            start = layout.end[folded]
        visible.extend(range(start, len(layout)))
        return Rows(self, layout, visible, None)

    def _filter_mask(self, layout: Layout, wanted: frozenset[Status]) -> bytearray:
        """By position: 1 for spans in the wanted statuses and for their ancestors."""
        spans = self.trace.spans
        keep = bytearray(len(layout))
        position = layout.position
        for span in spans:
            if span.status not in wanted:
                continue
            index: int | None = span.index
            while index is not None:
                here = position[index]
                if keep[here]:
                    break
                keep[here] = 1
                index = spans[index].parent
        return keep

    def row_of(self, span: int) -> int | None:
        """The row position showing a span, if visible."""
        if not 0 <= span < len(self.trace.spans):
            return None
        return self.rows().row_of_position(self.layout().position[span])

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
        if not self.collapsed:
            return
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
        if statuses != self.status_filter:
            self.status_filter = statuses
            self.invalidate()

    def set_sort(self, sort: SortKey) -> None:
        """Order siblings by start, duration, name or source order."""
        if sort is not self.sort:
            self.sort = sort
            self.invalidate()

    def tree_order(self) -> Sequence[int]:
        """Every span in display order as if nothing were folded (for next/previous jumps)."""
        return self.layout().order

    def passes_filter(self, span: int) -> bool:
        """True when the span is shown under the current filter."""
        return self.status_filter is None or self.trace.spans[span].status in self.status_filter

    def next_of(self, targets: Targets, current: int | None, step: int) -> int | None:
        """The next (step=1) or previous (step=-1) target after ``current`` in display order,
        wrapping around; targets hidden by the filter are passed over while any target shows."""
        positions = self._target_positions(targets)
        if not positions:
            return None
        layout = self.layout()
        if current is None or not 0 <= current < len(layout):
            chosen = positions[0] if step > 0 else positions[-1]
        else:
            here = layout.position[current]
            if step > 0:
                after = bisect_right(positions, here)
                chosen = positions[after] if after < len(positions) else positions[0]
            else:
                before = bisect_left(positions, here)
                chosen = positions[before - 1] if before > 0 else positions[-1]
        return layout.order[chosen]

    def _target_positions(self, targets: Targets) -> array[int]:
        """Sorted layout positions of the targets the filter shows (or of all, if none shows)."""
        key = (targets.version, self.sort, self.status_filter)
        cached = self._targets.get(key)
        if cached is not None:
            return cached
        position = self.layout().position
        spans = self.trace.spans
        wanted = self.status_filter
        chosen = targets.members
        if wanted is not None:
            shown = [i for i in chosen if spans[i].status in wanted]
            chosen = shown or chosen
        positions = array("i", sorted([position[i] for i in chosen]))
        if len(self._targets) > 16:
            self._targets.clear()
        self._targets[key] = positions
        return positions


class Targets:
    """A set of spans to jump between (failures, search matches), with a version for caches."""

    _versions = 0

    def __init__(self, members: Sequence[int] = ()) -> None:
        Targets._versions += 1
        self.version = Targets._versions
        self.members = members
        self._mask: bytearray | None = None

    def __len__(self) -> int:
        return len(self.members)

    def __bool__(self) -> bool:
        return bool(self.members)

    def __contains__(self, span: object) -> bool:
        if not isinstance(span, int) or not self.members:
            return False
        if self._mask is None:
            mask = bytearray(max(self.members) + 1)
            for index in self.members:
                mask[index] = 1
            self._mask = mask
        return 0 <= span < len(self._mask) and bool(self._mask[span])

    def __iter__(self) -> Iterator[int]:
        return iter(self.members)


class SearchIndex:
    """Case-folded name, key and error of every span, built once; ``find`` scans it."""

    def __init__(self, trace: Trace) -> None:
        self._haystack = [
            f"{s.name}\n{s.key}\n{s.error}".casefold()
            if s.error is not None
            else f"{s.name}\n{s.key}".casefold()
            for s in trace.spans
        ]

    def find(self, query: str) -> Targets:
        """Spans whose name, key or error contains the query, ignoring case."""
        needle = query.casefold().strip()
        if not needle or "\n" in needle:
            return Targets()
        return Targets([i for i, text in enumerate(self._haystack) if needle in text])


def failures(trace: Trace) -> Targets:
    """Spans that failed, timed out or were cancelled (not the step groups that hold them:
    those take on their worst node's status, and the node is where to go)."""
    return Targets(
        [s.index for s in trace.spans if s.status in FAILURE_STATUSES and s.kind != STEP]
    )
