"""Making untrusted text safe to print on a terminal, and measuring it in terminal cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# C0 controls except tab and newline, DEL, and C1 controls (which include CSI and OSC).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible format characters that reorder or hide text: bidi embeddings, overrides and
# isolates (U+202A-202E, U+2066-2069), marks, zero-width spaces and joiners, the byte-order
# mark, line and paragraph separators, interlinear annotations and tag characters.
FORMAT_CHARACTERS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_FORMAT = re.compile(f"[{FORMAT_CHARACTERS}]")
_UNSAFE = re.compile(f"{_CONTROL.pattern}|{_FORMAT.pattern}")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def safe(text: str) -> str:
    """The text with every control and format character shown as a visible stand-in
    (newlines and tabs kept)."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_visible, text)


def safe_line(text: str) -> str:
    """The text on one line: newlines and tabs shown as visible stand-ins too."""
    return safe(text).replace("\r", "\u240d").replace("\n", "\u23ce").replace("\t", " ")


@lru_cache(maxsize=4096)
def _char_cells(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def cells(text: str) -> int:
    """How many terminal cells the text takes: wide (CJK, emoji) characters count two,
    combining and zero-width ones none."""
    if text.isascii():
        return len(text)
    return sum(map(_char_cells, text))


Measure = Callable[[str], int]


def shorten(text: str, width: int, measure: Measure = cells) -> str:
    """The text cut to ``width`` cells, with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    if measure(text) <= width:
        return text
    if text.isascii():
        return text[: max(0, width - 1)] + "\u2026"
    kept = []
    used = 0
    for char in text:
        size = measure(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + "\u2026"


def pad(text: str, width: int, measure: Measure = cells) -> str:
    """The text cut to ``width`` cells and filled with spaces to exactly that width."""
    cut = shorten(text, width, measure)
    return cut + " " * max(0, width - measure(cut))
