"""The one way text from a trace, a path or a user's input reaches a widget: as plain
``Content``, never parsed as markup, with control, escape and bidi characters made visible."""

from __future__ import annotations

from textual.content import Content

from tracetui.text import safe_line


def plain(text: str, style: str = "") -> Content:
    """One line of untrusted text as content that is never markup."""
    return Content.styled(safe_line(text), style) if style else Content(safe_line(text))
