"""``tracetui validate``: findings as lines or JSON."""

from __future__ import annotations

from typing import Any

from tracetui.analysis.validate import Finding
from tracetui.text import safe_line


def validate_text(source: str, findings: list[Finding]) -> str:
    """One line per finding, then a count."""
    lines = [f"{safe_line(f.where)}: {f.check}: {safe_line(f.what)}" for f in findings]
    verdict = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "clean"
    lines.append(f"{safe_line(source)}: {verdict}")
    return "\n".join(lines) + "\n"


def validate_json(source: str, findings: list[Finding]) -> dict[str, Any]:
    """The findings as a JSON-ready dict."""
    return {
        "source": source,
        "clean": not findings,
        "findings": [{"check": f.check, "what": f.what, "where": f.where} for f in findings],
    }
