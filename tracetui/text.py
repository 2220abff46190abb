"""Making untrusted text safe to print on a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (which include CSI and OSC).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def safe(text: str) -> str:
    """The text with every control character shown as a visible stand-in (newlines kept)."""
    return _CONTROL.sub(_visible, text)


def safe_line(text: str) -> str:
    """The text on one line: newlines and tabs shown as visible stand-ins too."""
    return safe(text).replace("\r", "\u240d").replace("\n", "\u23ce").replace("\t", " ")


def shorten(text: str, width: int) -> str:
    """The text cut to ``width`` characters with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "\u2026"
