"""The failures view: families of look-alike failures, or failures ranked against a text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tracetui.analysis.failures import (
    Failure,
    FailureIndex,
    Family,
    Ranked,
    collect,
    group,
)
from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.app.keys import QUIT_AND_HELP
from tracetui.app.line_list import LineList
from tracetui.app.navigation import Back, OpenRun
from tracetui.display import GLYPH, WORD, counted, seconds, timestamp
from tracetui.model import LazySequence, Status, TraceSet
from tracetui.text import pad, safe_line


@dataclass(frozen=True, slots=True)
class FailureRow:
    """A family heading, or one failure (in a family, or ranked with a score)."""

    family: Family | None
    failure: Failure | None
    score: float | None = None


class _RankedRows(LazySequence[FailureRow]):
    """One row per ranked failure, made when drawn."""

    def __init__(self, ranked: Sequence[Ranked]) -> None:
        self._ranked = ranked

    def __len__(self) -> int:
        return len(self._ranked)

    def _item(self, index: int) -> FailureRow:
        entry = self._ranked[index]
        return FailureRow(None, entry.failure, entry.score)


class FailureList(LineList[FailureRow]):
    """Families (foldable) or ranked failures, one per row."""

    BINDING_GROUP_TITLE = "Failures list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open / go to node", id="failures.open"),
        Binding("space", "toggle_family", "Fold family", show=False, id="failures.toggle"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *(f"failure-list--{status.value}" for status in Status),
        "failure-list--muted",
        "failure-list--family",
        "failure-list--score",
    }

    DEFAULT_CSS = """
    FailureList > .failure-list--failed { color: $error; }
    FailureList > .failure-list--timed_out { color: $error; }
    FailureList > .failure-list--cancelled { color: $warning; }
    FailureList > .failure-list--muted { color: $text-muted; }
    FailureList > .failure-list--family { text-style: bold; }
    FailureList > .failure-list--score { color: $accent; text-style: bold; }
    """

    class Chosen(Message):
        """A failure was chosen: go to its node."""

        def __init__(self, failure: Failure) -> None:
            super().__init__()
            self.failure = failure

    class Highlighted(Message):
        """The cursor is on a row."""

        def __init__(self, row: FailureRow | None) -> None:
            super().__init__()
            self.row = row

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, FailureList.Highlighted)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.families: list[Family] = []
        self.ranked: Sequence[Ranked] | None = None
        self.open_families: set[int] = set()

    def empty_text(self) -> str:
        if self.ranked is not None:
            return f"no failure is like that (scores under {DEFAULT_MIN_SCORE:g} are left out)"
        return "no failures in what is open"

    def show_families(self, families: list[Family]) -> None:
        """List families, all folded."""
        self.families = families
        self.ranked = None
        self._rebuild(0)

    def show_ranked(self, ranked: Sequence[Ranked]) -> None:
        """List failures ranked by score."""
        self.ranked = ranked
        self._rebuild(0)

    def _rebuild(self, cursor: int) -> None:
        rows = _RankedRows(self.ranked) if self.ranked is not None else self._family_rows()
        self.set_rows(rows, cursor=min(cursor, max(0, len(rows) - 1)))

    def row_changed(self, row: FailureRow | None) -> None:
        self.post_message(self.Highlighted(row))

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        entry = self.rows[row]
        muted = self.get_component_rich_style("failure-list--muted")
        mark = "\u203a" if selected else " "
        if entry.failure is None:
            assert entry.family is not None
            family = entry.family
            position = self.families.index(family)
            fold = "\u25be" if position in self.open_families else "\u25b8"
            bold = self.get_component_rich_style("failure-list--family")
            when = f"  last {timestamp(family.last)}" if family.last else ""
            return [
                Segment(f"{mark}{fold} ", muted),
                Segment(f"{family.count:>5}\u00d7 ", bold),
                Segment(f"{seconds(family.lost_s):>8} lost  ", muted),
                Segment(safe_line(family.example), bold),
                Segment(when, muted),
            ]
        failure = entry.failure
        style = self.get_component_rich_style(f"failure-list--{failure.status.value}")
        prefix = (
            [
                Segment(
                    f"{mark} {entry.score:5.1f} ",
                    self.get_component_rich_style("failure-list--score"),
                )
            ]
            if entry.score is not None
            else [Segment(f"{mark}     ", muted)]
        )
        return [
            *prefix,
            Segment(f"{GLYPH[failure.status]} ", style),
            Segment(pad(safe_line(failure.node), 28, cell_len) + "  "),
            Segment(pad(safe_line(failure.trace.label), 24, cell_len) + "  ", muted),
            Segment(safe_line(failure.first_line) or "(no message)", style),
        ]

    def action_toggle_family(self) -> None:
        """Fold or unfold the family under the cursor."""
        entry = self.current()
        if entry is None or entry.family is None or self.ranked is not None:
            return
        position = self.families.index(entry.family)
        if position in self.open_families:
            self.open_families.discard(position)
        else:
            self.open_families.add(position)
        # Its heading's row: one per family before it, plus the members of those unfolded.
        unfolded = sum(len(self.families[p].members) for p in self.open_families if p < position)
        self._rebuild(position + unfolded)

    def _family_rows(self) -> list[FailureRow]:
        rows: list[FailureRow] = []
        for position, family in enumerate(self.families):
            rows.append(FailureRow(family, None))
            if position in self.open_families:
                rows.extend(FailureRow(family, f) for f in family.members)
        return rows

    def action_open(self) -> None:
        """On a family, fold or unfold it; on a failure, go to its node."""
        entry = self.current()
        if entry is None:
            return
        if entry.failure is None:
            self.action_toggle_family()
        else:
            self.post_message(self.Chosen(entry.failure))


class FailuresScreen(Screen[None]):
    """Every failure in what is open: families by count and time lost, or ranked look-alikes."""

    BINDING_GROUP_TITLE = "Failures view"

    AUTO_FOCUS = "#failure-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        *QUIT_AND_HELP,
        Binding("slash", "search", "Search", key_display="/", id="failures.search"),
        Binding("escape", "back", "Back", id="failures.back"),
    ]

    DEFAULT_CSS = """
    #failures-title { height: 1; background: $primary-background; padding: 0 1;
                      text-wrap: nowrap; text-overflow: ellipsis; }
    #failure-query { height: 3; }
    #failure-list { height: 1fr; }
    #failure-detail { height: auto; max-height: 40%; background: $panel; padding: 0 1; }
    """

    def __init__(self, sources: list[TraceSet], query: str = "") -> None:
        super().__init__()
        self.sources = sources
        self.failures = collect(sources)
        self.families = group(self.failures)
        self.initial_query = query
        self._ranking: FailureIndex | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="failures-title")
        yield Input(
            value=safe_line(self.initial_query),
            placeholder="type an error to rank failures by similarity (empty: families)",
            id="failure-query",
        )
        yield FailureList(id="failure-list")
        yield Static(id="failure-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._update_title()
        self.apply_query(self.initial_query)

    def _update_title(self) -> None:
        runs = sum(len(s.traces) for s in self.sources)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("Failures", style="bold")
        title.append(
            f"  {counted(len(self.failures), 'failure')} in "
            f"{counted(len(self.families), 'family', 'families')} across {counted(runs, 'run')}"
        )
        self.query_one("#failures-title", Static).update(title)

    def refresh_sources(self, sources: list[TraceSet]) -> None:
        """What is open changed (a big file finished loading): count and group again."""
        self.sources = sources
        self.failures = collect(sources)
        self.families = group(self.failures)
        self._ranking = None
        self._update_title()
        self.apply_query(self.query_one("#failure-query", Input).value)

    def on_key(self, event: events.Key) -> None:
        """Typing on the list starts a query: no need to press / first."""
        box = self.query_one("#failure-query", Input)
        if self.focused is box or not event.is_printable or event.character is None:
            return
        if event.key in {active.binding.key for active in self.active_bindings.values()}:
            return  # j, k, space, q, ? ... keep their meaning
        event.stop()
        event.prevent_default()
        box.value += event.character
        box.cursor_position = len(box.value)
        self.set_focus(box)

    def apply_query(self, query: str) -> None:
        """Families when the query is empty; otherwise failures ranked against it."""
        view = self.query_one(FailureList)
        if query.strip():
            view.show_ranked(self._index().rank(query, min_score=DEFAULT_MIN_SCORE))
        else:
            view.show_families(self.families)

    def _index(self) -> FailureIndex:
        if self._ranking is None:
            self._ranking = FailureIndex(self.failures)
        return self._ranking

    @on(Input.Changed, "#failure-query")
    def rerank(self, event: Input.Changed) -> None:
        """Re-rank as the query is typed."""
        self.apply_query(event.value)

    @on(Input.Submitted, "#failure-query")
    def to_list(self) -> None:
        """Enter in the query box moves to the results."""
        self.query_one(FailureList).focus()

    @on(FailureList.Highlighted)
    def describe(self, message: FailureList.Highlighted) -> None:
        """Show the highlighted failure's full error, or the family's variants."""
        text = Text()
        row = message.row
        if row is not None and row.failure is not None:
            failure = row.failure
            text.append(f"{GLYPH[failure.status]} {WORD[failure.status]}  ", style="bold")
            text.append(safe_line(failure.node), style="bold")
            text.append(f"  in {safe_line(failure.trace.label)}  {timestamp(failure.when)}")
            text.append(f"  {safe_line(failure.source)}\n")
            text.append(safe_line(failure.error) if failure.error else "(no message)")
            text.append(f"\nsignature: {safe_line(failure.signature)}")
        elif row is not None and row.family is not None:
            family = row.family
            text.append(f"{family.count} failures, {seconds(family.lost_s)} lost", style="bold")
            text.append(f"  first {timestamp(family.first)}  last {timestamp(family.last)}\n")
            for variant in family.signatures[:5]:
                text.append(f"  {safe_line(variant)}\n")
        self.query_one("#failure-detail", Static).update(text)

    @on(FailureList.Chosen)
    def go_to(self, message: FailureList.Chosen) -> None:
        """Open the failing node in its run (Esc there comes back here)."""
        self.post_message(OpenRun(message.failure.trace, message.failure.span))

    def action_search(self) -> None:
        """Put the cursor in the query box."""
        self.set_focus(self.query_one("#failure-query", Input))

    def action_back(self) -> None:
        """From the query box to the list; from the list, close the view."""
        if self.focused is self.query_one("#failure-query", Input):
            self.set_focus(self.query_one(FailureList))
        else:
            self.post_message(Back())
