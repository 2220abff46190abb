"""Paths and small helpers shared by the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_traces"
CORPUS = Path(os.environ.get("TRACETUI_CORPUS", ROOT.parent / "shared" / "corpus"))

# Files in the corpus that are references about a trace, not traces.
REFERENCE_SUFFIXES = (".summary.txt", ".analysis.json", ".trace.html", ".md")
REFERENCE_NAMES = ("find_similar_failures.json", "PROVENANCE.json", "README.md")


def is_trace_file(path: Path) -> bool:
    """True for the files a loader should read."""
    return (
        path.is_file()
        and not path.name.endswith(REFERENCE_SUFFIXES)
        and path.name not in REFERENCE_NAMES
    )


def trace_files(folder: Path) -> list[Path]:
    """Every trace file below a folder, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if is_trace_file(p))


def sample(relative: str) -> str:
    """The path of a bundled sample trace as a string."""
    return str(SAMPLES / relative)
