"""JSON text for every output: anything encodable, any depth, nothing raw for a terminal."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import orjson

from tracetui.text import FORMAT_CHARACTERS

# Inside JSON strings, orjson writes DEL, C1 controls and format characters (bidi overrides,
# zero-width characters) raw: each becomes its \u escape, which decodes to the same text.
_RAW = re.compile(f"[\x7f-\x9f{FORMAT_CHARACTERS}]")
# Deep enough for anything orjson reads (1,024 levels), with room for what wraps it.
_DEPTH_ROOM = 20_000


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def dumps(value: Any, *, indent: bool = False) -> str:
    """``value`` as JSON text ending in a newline. What JSON has no type for is written as its
    string; values nested deeper than orjson writes, or integers wider than 64 bits, go
    through the standard library instead of failing."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        text = orjson.dumps(value, option=option, default=str).decode()
    except orjson.JSONEncodeError:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _DEPTH_ROOM))
        try:
            text = json.dumps(value, default=str, ensure_ascii=False, indent=2 if indent else None)
        finally:
            sys.setrecursionlimit(limit)
    if not text.isascii():
        text = _RAW.sub(_escape, text)
    return text + "\n"
