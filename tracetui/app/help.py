"""The help screen, generated from the bindings so it cannot drift from them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tracetui.app.keys import KeyGroup, describe_key

# The group title of the app's own keys.
EVERYWHERE = "Everywhere"


def key_groups(screen: Screen[object]) -> list[KeyGroup]:
    """The keys that work on a screen where the user is (its focused widget, the widgets
    around it, the screen and the app), grouped by each owner's ``BINDING_GROUP_TITLE``."""
    groups: dict[str, list[Binding]] = {}
    for active in screen.active_bindings.values():
        if active.binding.action.startswith("app.") and active.node is not screen.app:
            continue  # the app's own keys, repeated on a screen for its footer
        title = getattr(active.node, "BINDING_GROUP_TITLE", None) or type(active.node).__name__
        groups.setdefault(title, []).append(active.binding)
    # The app's keys last: they are the same on every screen.
    return sorted(groups.items(), key=lambda item: item[0] == EVERYWHERE)


def help_text(groups: list[KeyGroup]) -> Text:
    """A key table: one section per owner of bindings, each action once with all its keys."""
    text = Text()
    for title, bindings in groups:
        keys_of: dict[str, list[str]] = {}
        for binding in bindings:
            if not binding.description:
                continue
            keys = keys_of.setdefault(binding.description, [])
            for key in binding.key.split(","):
                shown = binding.key_display or describe_key(key)
                if shown not in keys:
                    keys.append(shown)
        if not keys_of:
            continue
        text.append(f"{title}\n", style="bold underline")
        for description, keys in keys_of.items():
            text.append(f"  {' '.join(keys):<22}", style="bold")
            text.append(f"{description}\n")
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by the pane it works in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "close", "Close help", id="help.close"),
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

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
