"""Error text reduced to a signature: the variable parts become placeholders."""

from __future__ import annotations

import re

# A ranking against a text leaves out scores below this (rapidfuzz token_set_ratio, 0-100).
# Here, not in ``failures``, so that the command line names it without importing rapidfuzz.
DEFAULT_MIN_SCORE = 40.0

# Order matters: the more specific shapes are replaced before the numbers inside them.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}"
            r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b",
            re.I,
        ),
        "<time>",
    ),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<time>"),
    (re.compile(r"\bhttps?://[^\s'\"<>]+", re.I), "<url>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I), "<hex>"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "<hex>"),
    (re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`"), "<str>"),
    # A path has a separator and a letter somewhere (so "7/12" stays a pair of numbers).
    (re.compile(r"(?=[\w.:/\\-]*[a-z])(?:[a-z]:)?(?:[\w.-]*[/\\])+[\w.-]+", re.I), "<path>"),
    # Identifiers made of a word and numbers: n001_0048, c003_0001, worker-20, pod-7f9c2.
    (re.compile(r"\b[a-z][a-z0-9]*[-_]\d[a-z0-9]*(?:[-_][a-z0-9]+)*\b"), "<id>"),
    (re.compile(r"\b[a-z]+\d{2,}[a-z0-9]*(?:[-_][a-z0-9]+)*\b"), "<id>"),
    (
        re.compile(
            r"\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hrs?|hours?)\b",
            re.I,
        ),
        "<duration>",
    ),
    (re.compile(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", re.I), "<n>"),
    (re.compile(r"\s+"), " "),
)


_ONLY_PLACEHOLDERS = re.compile(r"(?:<[a-z]+>|[\W_])*")


def signature(error: str) -> str:
    """The error with numbers, hex, UUIDs, ids, paths, quoted values, durations and times
    replaced. A message that would be nothing but placeholders (dagron writes a KeyError as
    just ``'user_id'``) keeps its text: the value is all it says."""
    text = error.strip().lower()
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    text = text.strip()
    if _ONLY_PLACEHOLDERS.fullmatch(text):
        return " ".join(error.strip().lower().split())
    return text
