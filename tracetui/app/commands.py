"""Command palette of the explorer: its actions, defined once by its bindings, and "jump to
node". Declared by the screen (``COMMANDS``), so it knows nothing of the app."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from rapidfuzz import fuzz, process
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode

from tracetui.app.keys import describe_key
from tracetui.app.span_list import SpanList
from tracetui.app.untrusted import plain
from tracetui.display import GLYPH
from tracetui.model import Trace

JUMP_LIMIT = 20


class Exploring(Protocol):
    """What the palette needs of the screen it is opened on."""

    trace: Trace
    spans: SpanList


class ExplorerCommands(Provider):
    """Every binding of the explorer as a command, plus jumping to any span by name."""

    def _targets(self) -> list[tuple[str, str, str, DOMNode]]:
        """(title, keys, action, owner) for each action bound on the screen, once each."""
        found: dict[str, tuple[str, list[str], str, DOMNode]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.action.startswith("cursor") or not binding.description:
                continue
            key = binding.key_display or describe_key(binding.key)
            entry = found.setdefault(
                binding.action, (binding.description, [], binding.action, active.node)
            )
            if key not in entry[1]:
                entry[1].append(key)
        return [
            (title, " ".join(keys), action, node) for title, keys, action, node in found.values()
        ]

    async def discover(self) -> Hits:
        for title, keys, action, owner in self._targets():
            yield DiscoveryHit(
                f"{title}  ({keys})", partial(self._run, owner, action), help=f"key: {keys}"
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, keys, action, owner in self._targets():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._run, owner, action),
                    text=title,
                    help=f"key: {keys}",
                )
        async for hit in self._jumps(query):
            yield hit

    async def _jumps(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(getattr(screen, "spans", None), SpanList) or not query.strip():
            return
        exploring: Exploring = screen  # type: ignore[assignment]
        spans = exploring.trace.spans
        names = [s.name for s in spans]
        # rapidfuzz ranks every name in C; only the best few reach the palette.
        best = process.extract(query, names, scorer=fuzz.WRatio, limit=JUMP_LIMIT)
        for _, score, index in best:
            span = spans[index]
            label = f"Jump to {GLYPH[span.status]} {span.name}"
            prompt = Content.assemble(plain(label), "\n", plain(f"{span.kind} {span.key}", "dim"))
            yield Hit(score / 100, prompt, partial(exploring.spans.select_span, index), text=label)

    async def _run(self, owner: DOMNode, action: str) -> None:
        await self.app.run_action(action, owner)
