"""A foldable outline of styled lines: the content of the detail and summary panes.

Pure data (no textual): built from a span or a summary, flattened by fold state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracetui.formats.json_text import dumps
from tracetui.text import cells, safe_line, shorten

# A string value longer than this is cut in the view (the export keeps it whole).
MAX_VALUE_CHARS = 20_000

Segment = tuple[str, str]  # (text, style name)


@dataclass
class Node:
    """One line of the outline with optional children that fold under it."""

    segments: list[Segment]
    children: list[Node] = field(default_factory=list)
    folded: bool = False
    target: int | None = None  # a span this line refers to (Enter jumps there)

    def add(self, *segments: Segment, target: int | None = None) -> Node:
        """Append a child line and return it."""
        child = Node(list(segments), target=target)
        self.children.append(child)
        return child


@dataclass(frozen=True, slots=True)
class Line:
    """A visible line: its node, depth and fold marker."""

    node: Node
    depth: int

    @property
    def foldable(self) -> bool:
        """True when the line has children to fold or unfold."""
        return bool(self.node.children)


def wrap_ranges(text: str, room: int) -> list[tuple[int, int]]:
    """Where to cut ``text`` into pieces of at most ``room`` cells: after the last space that
    fits (words stay whole), or, for a word longer than a line, where it runs out of room.
    Each piece is (start, end) in characters."""
    room = max(1, room)
    if cells(text) <= room:
        return [(0, len(text))]
    pieces: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        used = 0
        end = start
        last_space = -1
        while end < len(text):
            size = cells(text[end])
            if used + size > room:
                break
            if text[end] == " ":
                last_space = end
            used += size
            end += 1
        if end < len(text) and last_space > start:
            end = last_space + 1  # the space ends this piece; the next word starts the next
        elif end == start:
            end = start + 1  # a character wider than the room: on a piece of its own
        pieces.append((start, end))
        start = end
    return pieces


def flatten(roots: list[Node]) -> list[Line]:
    """The visible lines given each node's fold state."""
    lines: list[Line] = []
    stack: list[tuple[Node, int]] = [(n, 0) for n in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        lines.append(Line(node, depth))
        if node.children and not node.folded:
            stack.extend((child, depth + 1) for child in reversed(node.children))
    return lines


def text_lines(text: str) -> list[str]:
    """A multi-line untrusted string as safe single lines."""
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + f"\u2026 ({len(text) - MAX_VALUE_CHARS} more characters)"
    return [safe_line(line) for line in text.split("\n")] or [""]


def _scalar(value: Any) -> Segment:
    if value is None:
        return ("null", "muted")
    if isinstance(value, bool):
        return ("true" if value else "false", "literal")
    if isinstance(value, int | float):
        return (repr(value), "number")
    return (repr(value), "value")


# Levels of a JSON value shown as lines; deeper ones are shown as one line of JSON text.
MAX_JSON_DEPTH = 32
# Items of one array or object shown as lines; the rest are counted.
MAX_JSON_ITEMS = 1000


def json_node(label: str, value: Any, folded_depth: int = 2) -> Node:
    """A JSON value as a foldable outline; levels deeper than ``folded_depth`` start folded.
    Built without recursion: any depth the parser accepts is shown, the levels past
    ``MAX_JSON_DEPTH`` as one line of JSON text."""
    root = Node([])
    pending: list[tuple[Node, str, Any, int]] = [(root, label, value, 0)]
    while pending:
        parent, name, item, depth = pending.pop()
        node = _json_line(name, item, depth)
        parent.children.append(node)
        if isinstance(item, dict | list) and depth < MAX_JSON_DEPTH:
            node.folded = depth >= folded_depth and bool(item)
            entries = (
                [(safe_line(str(key)), child) for key, child in item.items()]
                if isinstance(item, dict)
                else [(f"[{position}]", child) for position, child in enumerate(item)]
            )
            # Pushed in reverse, so that children are appended in order.
            pending.extend(
                (node, key, child, depth + 1) for key, child in reversed(entries[:MAX_JSON_ITEMS])
            )
            if len(entries) > MAX_JSON_ITEMS:
                more = len(entries) - MAX_JSON_ITEMS
                pending.insert(len(pending) - MAX_JSON_ITEMS, (node, "\u2026", more, -1))
    return root.children[0]


def _json_line(label: str, value: Any, depth: int) -> Node:
    """The line for one value (its children are added by ``json_node``)."""
    if depth < 0:
        return Node([(label, "key"), (f" {value} more not shown", "muted")])
    if isinstance(value, dict | list) and depth >= MAX_JSON_DEPTH:
        text = shorten(safe_line(dumps(value).rstrip("\n")), 400)
        return Node([(label, "key"), (": ", "muted"), (text, "value")])
    if isinstance(value, dict):
        return Node([(label, "key"), (f" {{{len(value)} keys}}", "muted")])
    if isinstance(value, list):
        return Node([(label, "key"), (f" [{len(value)} items]", "muted")])
    if isinstance(value, str) and ("\n" in value or len(value) > 120):
        lines = text_lines(value)
        node = Node([(label, "key"), (f" ({len(lines)} lines)", "muted")])
        for line in lines:
            node.add((line, "value"))
        return node
    if isinstance(value, str):
        return Node([(label, "key"), (": ", "muted"), (safe_line(repr(value)), "value")])
    return Node([(label, "key"), (": ", "muted"), _scalar(value)])


def plain(lines: list[Line]) -> list[str]:
    """The visible lines as plain text (for tests and copying)."""
    return ["  " * line.depth + "".join(text for text, _ in line.node.segments) for line in lines]
