"""``tracetui failures``: failure families, or failures ranked by likeness to a text."""

from __future__ import annotations

import argparse

from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    json_option,
    many_paths,
    range_options,
    report_found,
    reported,
    run_filter,
    usage_error,
)

HELP = "group failures into families, or find ones like a given error"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub)
    range_options(sub)
    sub.add_argument("--similar", metavar="TEXT", help="rank failures by similarity to TEXT")
    sub.add_argument(
        "--min-score",
        type=float,
        metavar="N",
        help=f"with --similar: leave out scores below N (0-100, default {DEFAULT_MIN_SCORE:g})",
    )
    sub.add_argument("--limit", type=int, metavar="N", help="show at most N results")
    sub.add_argument(
        "--trigram",
        action="store_true",
        help="from a database with pg_trgm: with --similar, read only rows whose errors are "
        "trigram-alike (word_similarity >= 0.2); faster over very varied messages, may miss "
        "weak matches. Default: every distinct message is scored first, then only the rows "
        "holding a listed one are read (pg_trgm is used, and said, past 50,000 messages)",
    )
    sub.add_argument(
        "--max-runs",
        type=int,
        metavar="N",
        help="from a database: read at most the N newest runs with a failure "
        "(default: every one the filter selects, a page at a time)",
    )
    sub.add_argument(
        "--threshold",
        type=float,
        metavar="N",
        help="similarity (0-100) at which signatures merge into a family (default 85)",
    )
    sub.add_argument(
        "--cfn-compatible",
        action="store_true",
        help="answer exactly as claude-flow's find_similar_failures: the 100 newest failed "
        "runs with an error, token Jaccard above 0.30, the best --limit (default 10)",
    )
    sub.add_argument(
        "--scan-all",
        action="store_true",
        help="with --cfn-compatible: every failed run, not only the 100 newest",
    )
    json_option(sub)
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """List failure families, or rank failures by similarity to a text."""
    from tracetui.analysis.failures import (
        CFN_WINDOW,
        DEFAULT_FAMILY_THRESHOLD,
        find_similar_failures,
        group,
        rank,
    )
    from tracetui.inputs.failing import SimilarSearch, failing_sources, failures_in
    from tracetui.reports.failures import (
        cfn_json,
        cfn_text,
        families_json,
        families_text,
        ranked_json,
        ranked_text,
    )

    where = " ".join(args.paths)
    if args.cfn_compatible:
        if args.similar is None:
            raise usage_error(where, "--cfn-compatible needs --similar")
        for flag, given in (("--min-score", args.min_score), ("--threshold", args.threshold)):
            if given is not None:
                raise usage_error(where, f"{flag} does not apply: claude-flow's threshold is 0.30")
    elif args.scan_all:
        raise usage_error(where, "--scan-all goes with --cfn-compatible")
    wanted = run_filter(args, where, limit=args.max_runs)
    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    search = None
    if args.similar is not None and not args.cfn_compatible:
        search = SimilarSearch(args.similar, min_score, args.limit, args.trigram)
    if args.cfn_compatible:
        loaded = failing_sources(
            args.paths,
            args.dialect,
            wanted,
            cfn=True,
            window=None if args.scan_all else CFN_WINDOW,
        )
        sets = reported(loaded)
        matches = find_similar_failures(
            sets,
            args.similar,
            limit=10 if args.limit is None else args.limit,
            window=None if args.scan_all else CFN_WINDOW,
        )
        if args.json:
            emit_json(cfn_json(matches))
        else:
            emit(cfn_text(args.similar, matches))
        return EXIT_OK
    found = failures_in(args.paths, args.dialect, wanted, search)
    report_found(found)
    failures = found.failures
    threshold = DEFAULT_FAMILY_THRESHOLD if args.threshold is None else args.threshold
    if args.similar is not None:
        ranked = rank(failures, args.similar, min_score=min_score, limit=args.limit)
        if args.json:
            emit_json(ranked_json(args.similar, ranked))
        else:
            emit(ranked_text(args.similar, ranked))
        return EXIT_OK
    families = group(failures, threshold=threshold)
    if args.json:
        emit_json(families_json(families, len(failures), threshold))
    else:
        emit(families_text(families, len(failures), found.sources, args.limit))
    return EXIT_OK
