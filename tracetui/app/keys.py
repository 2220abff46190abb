"""Collecting bindings for the help screen and the command palette."""

from __future__ import annotations

from textual.binding import Binding, BindingType

KeyGroup = tuple[str, list[Binding]]

# Quit and help, listed early on every main screen so that the footer shows them even at 80
# columns (the app's own bindings, which work everywhere, come last in the footer).
QUIT_AND_HELP: list[BindingType] = [
    Binding("q", "app.quit", "Quit", id="screen.quit"),
    Binding("question_mark", "app.help", "Help", key_display="?", id="screen.help"),
]

_NAMES = {
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "asterisk": "*",
    "underscore": "_",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "up": "\u2191",
    "down": "\u2193",
    "left": "\u2190",
    "right": "\u2192",
    "shift+left": "Shift+\u2190",
    "shift+right": "Shift+\u2192",
}


def describe_key(key: str) -> str:
    """How a key is written for people: ``right_square_bracket`` -> ``]``."""
    key = key.strip()
    if key in _NAMES:
        return _NAMES[key]
    if key.startswith("ctrl+"):
        return "Ctrl+" + key.removeprefix("ctrl+")
    return key
