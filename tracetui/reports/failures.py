"""``tracetui failures``: families, ranked look-alikes, or claude-flow's own answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracetui.analysis.failures import CfnMatch, Failure, Family, Ranked
from tracetui.display import GLYPH, WORD, counted, seconds, timestamp
from tracetui.text import pad, safe_line, shorten


def failure_json(failure: Failure) -> dict[str, Any]:
    """One failure with where and when it happened."""
    return {
        "source": failure.source,
        "trace_id": failure.trace.id,
        "trace_name": failure.trace.name,
        "dialect": failure.trace.dialect,
        "node": failure.node,
        "kind": failure.kind,
        "status": failure.status.value,
        "error": failure.error,
        "signature": failure.signature,
        "when": failure.when.isoformat() if failure.when else None,
        "lost_s": failure.lost_s,
    }


def families_json(families: list[Family], total: int, threshold: float) -> dict[str, Any]:
    """Families, most frequent first, each with its occurrences."""
    return {
        "mode": "families",
        "threshold": threshold,
        "failures": total,
        "families": [
            {
                "example": family.example,
                "signature": family.signature,
                "signatures": family.signatures,
                "count": family.count,
                "lost_s": family.lost_s,
                "first": family.first.isoformat() if family.first else None,
                "last": family.last.isoformat() if family.last else None,
                "members": [failure_json(f) for f in family.members],
            }
            for family in families
        ],
    }


def ranked_json(query: str, ranked: Sequence[Ranked]) -> dict[str, Any]:
    """Failures ranked by similarity to the query."""
    return {
        "mode": "similar",
        "query": query,
        "failures": [{"score": round(r.score, 1), **failure_json(r.failure)} for r in ranked],
    }


def cfn_text(query: str, matches: list[CfnMatch]) -> str:
    """claude-flow's answer as a table (``--json`` prints exactly its JSON)."""
    lines = [f"{counted(len(matches), 'similar failure')} to {shorten(safe_line(query), 80)!r}"]
    for match in matches:
        lines.append(
            f"{match.similarity_score:5.2f}  {match.started_at or '-':<26}  "
            f"{pad(safe_line(match.skill_name or '-'), 24)}  {safe_line(match.trace_id or '-')}  "
            f"{shorten(safe_line(match.error_message), 100)}"
        )
    return "\n".join(lines) + "\n"


def cfn_json(matches: list[CfnMatch]) -> list[dict[str, Any]]:
    """Exactly the shape claude-flow's ``find_similar_failures`` returns."""
    return [
        {
            "trace_id": m.trace_id,
            "skill_name": m.skill_name,
            "error_message": m.error_message,
            "started_at": m.started_at,
            "similarity_score": m.similarity_score,
        }
        for m in matches
    ]


def _where(failure: Failure) -> str:
    run = failure.trace.label
    return f"{safe_line(failure.node)} in {safe_line(run)}"


def families_text(families: list[Family], total: int, sources: int, limit: int | None) -> str:
    """A readable list of families with an example of each."""
    traces = len({id(f.trace) for family in families for f in family.members})
    lines = [
        f"{counted(total, 'failure')} in {counted(len(families), 'family', 'families')} across "
        f"{counted(traces, 'run')} ({counted(sources, 'source')})"
    ]
    for rank, family in enumerate(families[:limit] if limit else families, 1):
        lines.append("")
        lines.append(
            f"#{rank}  {family.count}\u00d7  lost {seconds(family.lost_s)}  "
            f"{shorten(safe_line(family.example), 110)}"
        )
        if family.first is not None:
            lines.append(f"    first {timestamp(family.first)}   last {timestamp(family.last)}")
        latest = family.members[-1]
        message = latest.first_line or "(no message)"
        lines.append(f"    latest {_where(latest)}: {shorten(safe_line(message), 120)}")
        lines.append(f"    signature {shorten(safe_line(family.signature), 110)}")
        if len(family.signatures) > 1:
            lines.append(f"    {len(family.signatures)} variants")
    if limit and len(families) > limit:
        lines.append(f"\n... and {len(families) - limit} more families (--limit)")
    return "\n".join(lines) + "\n"


def ranked_text(query: str, ranked: Sequence[Ranked]) -> str:
    """Ranked failures, one per line, best first."""
    lines = [f"{len(ranked)} failures like {shorten(safe_line(query), 80)!r}"]
    for item in ranked:
        failure = item.failure
        lines.append(
            f"{item.score:5.1f}  {GLYPH[failure.status]} {WORD[failure.status]:<9} "
            f"{timestamp(failure.when):<23}  {_where(failure)}: "
            f"{shorten(safe_line(failure.first_line), 100)}"
        )
    return "\n".join(lines) + "\n"
