"""The help screen, generated from the bindings so it cannot drift from them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracetui.app.keys import KeyGroup, describe_key


def help_text(groups: list[KeyGroup]) -> Text:
    """A key table: one section per widget that owns bindings."""
    text = Text()
    for title, bindings in groups:
        text.append(f"{title}\n", style="bold underline")
        seen: set[str] = set()
        for binding in bindings:
            if binding.description in seen or not binding.description:
                continue
            seen.add(binding.description)
            keys = " ".join(describe_key(k) for k in binding.key.split(","))
            text.append(f"  {keys:<22}", style="bold")
            text.append(f"{binding.description}\n")
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by the pane it works in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, groups: list[KeyGroup]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys  (Esc closes)"
            yield Static(help_text(self.groups), id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(None)
