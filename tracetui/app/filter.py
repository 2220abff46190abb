"""The status filter: pick which statuses the span list shows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracetui.model import Status, Trace
from tracetui.view.status_choices import choices


class FilterScreen(ModalScreen[frozenset[Status] | None | bool]):
    """A list of status filters; Enter applies one, Esc keeps the current filter."""

    BINDING_GROUP_TITLE = "Status filter"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("j", "move(1)", "Down", show=False, id="filter.down"),
        Binding("k", "move(-1)", "Up", show=False, id="filter.up"),
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

    def action_move(self, step: int) -> None:
        """Vim keys in the list: j down, k up."""
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        """Close without changing the filter."""
        self.dismiss(False)
