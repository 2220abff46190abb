"""Command palette: the explorer's actions and "jump to node", defined once from the bindings."""

from __future__ import annotations

from functools import partial

from rapidfuzz import fuzz, process
from textual.binding import BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tracetui.app.keys import bindings_of, describe_key
from tracetui.app.span_list import SpanList
from tracetui.app.untrusted import plain
from tracetui.display import GLYPH
from tracetui.text import safe_line

JUMP_LIMIT = 20


class ExplorerCommands(Provider):
    """Every explorer binding as a command, plus jumping to any span by name."""

    def _targets(self) -> list[tuple[str, str, str, object]]:
        """(title, key, action, owner) for each bound action on the explorer."""
        from tracetui.app.explorer import ExplorerScreen

        screen = self.screen
        if not isinstance(screen, ExplorerScreen):
            return []
        result = []
        owners: list[tuple[object, list[BindingType]]] = [
            (screen.spans, list(SpanList.BINDINGS)),
            (screen, list(ExplorerScreen.BINDINGS)),
        ]
        for owner, bindings in owners:
            for binding in bindings_of(bindings):
                if binding.action.startswith("cursor") or not binding.description:
                    continue
                key = describe_key(binding.key.split(",")[0])
                result.append((binding.description, key, binding.action, owner))
        return result

    async def discover(self) -> Hits:
        for title, key, action, owner in self._targets():
            yield DiscoveryHit(f"{title}  ({key})", partial(self._run, owner, action), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, key, action, owner in self._targets():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._run, owner, action),
                    text=title,
                    help=f"key: {key}",
                )
        async for hit in self._jumps(query):
            yield hit

    async def _jumps(self, query: str) -> Hits:
        from tracetui.app.explorer import ExplorerScreen

        screen = self.screen
        if not isinstance(screen, ExplorerScreen) or not query.strip():
            return
        spans = screen.trace.spans
        names = [s.name for s in spans]
        # rapidfuzz ranks every name in C; only the best few reach the palette.
        best = process.extract(query, names, scorer=fuzz.WRatio, limit=JUMP_LIMIT)
        for _, score, index in best:
            span = spans[index]
            label = f"Jump to {GLYPH[span.status]} {safe_line(span.name)}"
            prompt = Content.assemble(plain(label), "\n", plain(f"{span.kind} {span.key}", "dim"))
            yield Hit(score / 100, prompt, partial(screen.spans.select_span, index), text=label)

    async def _run(self, owner: object, action: str) -> None:
        from textual.dom import DOMNode

        if isinstance(owner, DOMNode):
            await self.app.run_action(action, owner)
