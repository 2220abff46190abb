"""A foldable outline of styled lines: the content of the detail and summary panes.

Pure data (no textual): built from a span or a summary, flattened by fold state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracetui.text import safe_line

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


def json_node(label: str, value: Any, folded_depth: int = 2, depth: int = 0) -> Node:
    """A JSON value as a foldable outline; levels deeper than ``folded_depth`` start folded."""
    if isinstance(value, dict):
        node = Node([(label, "key"), (f" {{{len(value)} keys}}", "muted")])
        node.folded = depth >= folded_depth and bool(value)
        for key, item in value.items():
            node.children.append(json_node(safe_line(str(key)), item, folded_depth, depth + 1))
        return node
    if isinstance(value, list):
        node = Node([(label, "key"), (f" [{len(value)} items]", "muted")])
        node.folded = depth >= folded_depth and bool(value)
        for position, item in enumerate(value):
            node.children.append(json_node(f"[{position}]", item, folded_depth, depth + 1))
        return node
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
