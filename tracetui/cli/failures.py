"""``tracetui failures``: failure families, or failures ranked by likeness to a text."""

from __future__ import annotations

import argparse

from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    load_all,
    many_paths,
    usage_error,
)

HELP = "group failures into families, or find ones like a given error"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub)
    sub.add_argument("--similar", metavar="TEXT", help="rank failures by similarity to TEXT")
    sub.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_MIN_SCORE,
        metavar="N",
        help="with --similar: leave out scores below N (0-100, default 40)",
    )
    sub.add_argument("--limit", type=int, metavar="N", help="show at most N results")
    sub.add_argument(
        "--threshold",
        type=float,
        default=85.0,
        metavar="N",
        help="similarity (0-100) at which signatures merge into a family (default 85)",
    )
    sub.add_argument(
        "--cfn-compatible",
        action="store_true",
        help="answer exactly as claude-flow's find_similar_failures (token Jaccard > 0.30)",
    )
    sub.add_argument("--json", action="store_true", help="machine-readable JSON")
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """List failure families, or rank failures by similarity to a text."""
    from tracetui.analysis.failures import collect, find_similar_failures, group, rank
    from tracetui.reports.failures import (
        cfn_json,
        families_json,
        families_text,
        ranked_json,
        ranked_text,
    )

    if args.cfn_compatible and args.similar is None:
        raise usage_error(" ".join(args.paths), "--cfn-compatible needs --similar")
    sets = load_all(args.paths, args.dialect)
    if args.cfn_compatible:
        matches = find_similar_failures(sets, args.similar, limit=args.limit or 10)
        emit_json(cfn_json(matches))
        return EXIT_OK
    failures = collect(sets)
    if args.similar is not None:
        ranked = rank(failures, args.similar, min_score=args.min_score, limit=args.limit)
        if args.json:
            emit_json(ranked_json(args.similar, ranked))
        else:
            emit(ranked_text(args.similar, ranked))
        return EXIT_OK
    families = group(failures, threshold=args.threshold)
    if args.json:
        emit_json(families_json(families, len(failures), args.threshold))
    else:
        emit(families_text(families, len(failures), len(sets), args.limit))
    return EXIT_OK
