"""How a screen painted from a big file's first megabytes says the rest is still being read."""

from __future__ import annotations

import time


def loading_note(since: float, fraction: float | None, showing: str) -> str:
    """A spinner, the share read so far (where known), seconds waited, and what is shown."""
    waited = time.monotonic() - since
    spinner = "\u25d0\u25d3\u25d1\u25d2"[int(waited * 2) % 4]
    done = f"{fraction:.0%}, " if fraction is not None else ""
    return f"  {spinner} loading the whole file ({done}{waited:.0f}s): showing {showing}"
