"""tracetui's own model export: the format name its writer stamps and its reader checks."""

from __future__ import annotations

FORMAT = "tracetui.model/v1"
