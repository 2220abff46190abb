"""The status filter: pick which statuses the span list shows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

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


class FilterScreen(ModalScreen[frozenset[Status] | None | bool]):
    """A list of status filters; Enter applies one, Esc keeps the current filter."""

    BINDING_GROUP_TITLE = "Status filter"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > OptionList {
        width: 56; max-width: 100%; height: auto; max-height: 80%;
        border: round $accent; background: $surface;
    }
    """

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.choices = choices(trace)

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(label, id=key) for key, label, _ in self.choices))
        options.border_title = "Show only"
        yield options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        statuses = next(value for key, _, value in self.choices if key == event.option.id)
        self.dismiss(statuses)

    def action_cancel(self) -> None:
        """Close without changing the filter."""
        self.dismiss(False)
