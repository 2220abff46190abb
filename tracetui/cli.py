"""The ``tracetui`` command line: argument parsing, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracetui import __version__
from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.atomic import write_atomic
from tracetui.errors import TraceError
from tracetui.formats.json_text import dumps
from tracetui.loaders import DIALECTS, load_path
from tracetui.model import Trace, TraceSet
from tracetui.source import DEFAULT_INPUT_LIMIT, set_input_limit, settle, size_text

if TYPE_CHECKING:
    from tracetui.database import RunFilter
from tracetui.text import safe_line, shorten

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug of ours, not bad input


class InputError(Exception):
    """A source that could not be loaded, already phrased for stderr."""

    def __init__(self, source: str, error: TraceError) -> None:
        super().__init__(f"{source}: {error}")
        self.source = source
        self.error = error


def load(path: str, dialect: str | None) -> TraceSet:
    """Load a path (or a database URL) or raise InputError naming it."""
    from tracetui.database import is_database_url, load_database, redact

    try:
        loaded = load_database(path) if is_database_url(path) else load_path(path, dialect)
    except TraceError as exc:
        label = redact(path) if is_database_url(path) else path
        raise InputError("<stdin>" if path == "-" else label, exc) from None
    settle()
    return loaded


def emit(text: str) -> None:
    """Write to stdout, tolerating a closed pipe (``| head``)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def emit_json(value: object) -> None:
    """Write a JSON document to stdout."""
    emit(dumps(value, indent=True))


def warn_loaded(traces: TraceSet) -> None:
    """Tell stderr what the loader skipped, so partial loads are never silent."""
    messages = list(traces.warnings)
    for trace in traces.traces:
        messages.extend(trace.warnings)
    for message in dict.fromkeys(messages):
        print(
            f"tracetui: {safe_line(traces.source)}: warning: {safe_line(message)}", file=sys.stderr
        )


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the summary of a trace file."""
    from tracetui.reports.summary import summary_json, summary_text

    traces = load(args.path, args.dialect)
    warn_loaded(traces)
    if args.json:
        emit_json(summary_json(traces))
    else:
        emit(summary_text(traces))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a trace for inconsistencies; exit 1 when there are findings."""
    from tracetui.analysis.validate import validate
    from tracetui.reports.validate import validate_json, validate_text

    traces = load(args.path, args.dialect)
    findings = validate(traces)
    if args.json:
        emit_json(validate_json(traces.source, findings))
    else:
        emit(validate_text(traces.source, findings))
    return EXIT_FINDINGS if findings else EXIT_OK


def load_all(
    paths: list[str], dialect: str | None, wanted: RunFilter | None = None
) -> list[TraceSet]:
    """Load files, folders, globs and database URLs; a named one that fails is an input error."""
    from tracetui.database import is_database_url, load_database, redact
    from tracetui.sources import PathError, load_many

    urls = [p for p in paths if is_database_url(p)]
    files = [p for p in paths if not is_database_url(p)]
    sets: list[TraceSet] = []
    for url in urls:
        try:
            sets.append(load_database(url, wanted))
        except TraceError as exc:
            raise InputError(redact(url), exc) from None
    if not files:
        for traces in sets:
            warn_loaded(traces)
        return sets
    try:
        loaded = load_many(files, dialect)
    except PathError as exc:
        raise InputError(exc.path, exc.error) from None
    loaded.sets[:0] = sets
    for path, reason in loaded.skipped:
        print(f"tracetui: {safe_line(path)}: skipped: {safe_line(reason)}", file=sys.stderr)
    for traces in loaded.sets:
        warn_loaded(traces)
    if not loaded.sets:
        joined = " ".join(paths)
        raise InputError(joined, TraceError("no trace files found"))
    return loaded.sets


def cmd_failures(args: argparse.Namespace) -> int:
    """List failure families, or rank failures by similarity to a text."""
    from tracetui.analysis.failures import collect, find_similar_failures, group, rank
    from tracetui.reports.failures import (
        cfn_json,
        families_json,
        families_text,
        ranked_json,
        ranked_text,
    )

    sets = load_all(args.paths, args.dialect)
    if args.cfn_compatible:
        if args.similar is None:
            raise InputError(" ".join(args.paths), TraceError("--cfn-compatible needs --similar"))
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


def pick_run(traces: TraceSet, run: str | None) -> Trace:
    """The one run to diff: the only one, or the one ``--run`` names (id, name or index)."""
    if run is None:
        if len(traces.traces) == 1:
            return traces.traces[0]
        raise InputError(
            traces.source,
            TraceError(f"holds {len(traces.traces)} runs; choose one with --run ID or --run N"),
        )
    for trace in traces.traces:
        if run in (trace.id, trace.name):
            return trace
    if run.lstrip("-").isdigit() and -len(traces.traces) <= int(run) < len(traces.traces):
        return traces.traces[int(run)]
    raise InputError(traces.source, TraceError(f"no run with id, name or index {run!r}"))


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare a current run with a baseline run (or several)."""
    from tracetui.analysis.diff import Thresholds, diff

    positional: list[str] = args.paths
    baseline_paths: list[str] = list(args.baseline or [])
    if baseline_paths:
        if not positional:
            raise InputError("diff", TraceError("name the current run after the baseline"))
        baseline_paths += positional[:-1]
        current_path = positional[-1]
    else:
        if len(positional) != 2:
            raise InputError(
                "diff", TraceError("give BASELINE and CURRENT (or --baseline PATH... CURRENT)")
            )
        baseline_paths, current_path = [positional[0]], positional[1]
    baseline_sets = load_all(baseline_paths, args.dialect)
    current = pick_run(load(current_path, args.dialect), args.run)
    baseline = [t for s in baseline_sets for t in s.traces if t is not current]
    if not baseline:
        raise InputError(" ".join(baseline_paths), TraceError("no baseline runs"))
    result = diff(baseline, current, Thresholds(args.min_seconds, args.min_percent))
    headless = args.format is not None or args.fail_on is not None or not sys.stdout.isatty()
    if not headless:
        from tracetui.app.run import open_diff

        return open_diff(result)
    fmt = args.format or "text"
    if fmt == "json":
        from tracetui.reports.diff import diff_json

        emit_json(diff_json(result, [s.source for s in baseline_sets], current_path))
    elif fmt == "markdown":
        from tracetui.reports.diff import diff_markdown

        emit(diff_markdown(result))
    else:
        from tracetui.reports.diff import diff_text

        emit(diff_text(result))
    tripped = {
        None: False,
        "regression": bool(result.regressions()),
        "status": bool(result.status_changes()),
        "any": bool(result.changes()),
    }[args.fail_on]
    return EXIT_FINDINGS if tripped else EXIT_OK


def cmd_runs(args: argparse.Namespace) -> int:
    """List runs across files and folders, with per-workflow failure rate and percentiles."""
    from tracetui.analysis.runs import filter_runs, parse_when, run_rows, workflow_stats
    from tracetui.model import Status
    from tracetui.reports.runs import runs_json, runs_text

    try:
        since = parse_when(args.since) if args.since else None
        until = parse_when(args.until) if args.until else None
        statuses = {Status(s.strip()) for s in args.status.split(",")} if args.status else None
    except ValueError as exc:
        raise InputError("runs", TraceError(str(exc))) from None
    from tracetui.database import DEFAULT_LIMIT, RunFilter

    # A database does the filtering in SQL; files are filtered after loading (same rules).
    wanted = RunFilter(
        name=args.name,
        since=since,
        until=until,
        statuses=frozenset(statuses) if statuses else None,
        limit=args.limit or DEFAULT_LIMIT,
    )
    rows = filter_runs(
        run_rows(load_all(args.paths, args.dialect, wanted)),
        name=args.name,
        since=since,
        until=until,
        statuses=statuses,
        text=args.text,
        limit=args.limit,
    )
    stats = workflow_stats(rows)
    if args.json:
        emit_json(runs_json(rows, stats))
    else:
        emit(runs_text(rows, stats))
    return EXIT_OK


EXPORT_FORMATS = ("chrome", "json", "csv", "html", "markdown", "otlp")


def cmd_export(args: argparse.Namespace) -> int:
    """Write a trace in another format: Chrome/Perfetto, model JSON, CSV, HTML or markdown."""
    traces = load(args.path, args.dialect)
    warn_loaded(traces)
    text = render_export(traces, args.to, raw=not args.no_raw)
    if args.output in (None, "-"):
        emit(text)
    else:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            raise InputError(args.output, TraceError(f"cannot write: {exc.strerror}")) from None
    return EXIT_OK


def render_export(traces: TraceSet, to: str, raw: bool = True) -> str:
    """The export as text."""
    if to == "chrome":
        from tracetui.reports.chrome import chrome_document

        return dumps(chrome_document(traces))
    if to == "json":
        from tracetui.reports.model_json import traceset_dict

        return dumps(traceset_dict(traces, raw=raw))
    if to == "otlp":
        from tracetui.reports.otlp import otlp_request

        return dumps(otlp_request(traces))
    if to == "csv":
        from tracetui.reports.table_csv import spans_csv

        return spans_csv(traces)
    if to == "html":
        from tracetui.reports.html import html_report

        return html_report(traces)
    from tracetui.reports.markdown import markdown_report

    return markdown_report(traces)


def cmd_open(args: argparse.Namespace) -> int:
    """Open the interactive explorer on a trace, or the runs view on several."""
    from tracetui.app.run import open_explorer, open_many
    from tracetui.database import is_database_url

    paths: list[str] = args.paths
    if any(is_database_url(p) for p in paths):
        from tracetui.app.run import open_sets

        return open_sets(load_all(paths, args.dialect))
    if args.follow:
        if len(paths) != 1 or paths[0] == "-" or Path(paths[0]).is_dir():
            raise InputError(" ".join(paths), TraceError("--follow takes one trace file"))
        return open_explorer(paths[0], args.dialect, follow=True)
    if len(paths) == 1 and (paths[0] == "-" or _one_file(Path(paths[0]))):
        return open_explorer(paths[0], args.dialect)
    if len(paths) == 1 and not Path(paths[0]).exists() and not any(c in paths[0] for c in "*?["):
        raise InputError(paths[0], TraceError("no such file"))
    return open_many(paths, args.dialect)


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def byte_size(text: str) -> int:
    """A size such as ``8G``, ``500M``, ``64KiB`` or ``1000000`` in bytes (for argparse)."""
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS else ""
    number = cleaned[: len(cleaned) - len(unit)]
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 8G, 500M)") from None
    if not 0 < value < 1 << 62:
        raise argparse.ArgumentTypeError(f"not a usable size: {text!r}")
    return int(value)


def _one_file(path: Path) -> bool:
    """A file, pipe, FIFO or process substitution (``<(cmd)``): anything but a folder."""
    return path.exists() and not path.is_dir()


COMPLETION_SHELLS = ("bash", "zsh", "fish")


def cmd_completion(args: argparse.Namespace) -> int:
    """Print the tab-completion script for a shell, generated from this very parser."""
    import shtab

    emit(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK


# shtab's own ``FILE`` completion, spelled out so that parsing never imports shtab.
_FILE_COMPLETION = {
    "bash": "_shtab_compgen_files",
    "zsh": "_files",
    "tcsh": "f",
    "fish": "(__fish_complete_path (commandline -ct))",
}


def _files(argument: argparse.Action) -> None:
    """Complete this argument with file names (shtab reads the attribute)."""
    argument.complete = _FILE_COMPLETION  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="tracetui",
        description="Understand a workflow run from its execution trace.",
        epilog="Exit codes: 0 success, 1 findings or a gate tripped, 2 unreadable input or usage.",
    )
    parser.add_argument("--version", action="version", version=f"tracetui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    def dialect_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--dialect", choices=DIALECTS, help="skip detection and read the input as this dialect"
        )
        sub.add_argument(
            "--max-size",
            type=byte_size,
            metavar="SIZE",
            help="the most one input may hold, read or decompressed "
            f"(default {size_text(DEFAULT_INPUT_LIMIT).replace(' ', '')}; e.g. 8G, 500M)",
        )

    open_cmd = command("open", cmd_open, "explore a trace interactively")
    open_paths = open_cmd.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a trace file (- for stdin; .gz is fine), or several files, folders or globs",
    )
    _files(open_paths)
    open_cmd.add_argument(
        "--follow",
        action="store_true",
        help="keep the view live while the producer appends to the file",
    )
    dialect_option(open_cmd)

    summary = command("summary", cmd_summary, "print what happened in a run")
    _files(summary.add_argument("path", help="trace file (- for stdin; .gz is fine)"))
    summary.add_argument("--json", action="store_true", help="machine-readable JSON")
    dialect_option(summary)

    failures = command(
        "failures", cmd_failures, "group failures into families, or find ones like a given error"
    )
    _files(
        failures.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs")
    )
    failures.add_argument("--similar", metavar="TEXT", help="rank failures by similarity to TEXT")
    failures.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_MIN_SCORE,
        metavar="N",
        help="with --similar: leave out scores below N (0-100, default 40)",
    )
    failures.add_argument("--limit", type=int, metavar="N", help="show at most N results")
    failures.add_argument(
        "--threshold",
        type=float,
        default=85.0,
        metavar="N",
        help="similarity (0-100) at which signatures merge into a family (default 85)",
    )
    failures.add_argument(
        "--cfn-compatible",
        action="store_true",
        help="answer exactly as claude-flow's find_similar_failures (token Jaccard > 0.30)",
    )
    failures.add_argument("--json", action="store_true", help="machine-readable JSON")
    dialect_option(failures)

    diff_cmd = command("diff", cmd_diff, "what changed between a baseline run and a current one")
    diff_paths = diff_cmd.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="BASELINE CURRENT, or just CURRENT with --baseline",
    )
    _files(diff_paths)
    diff_cmd.add_argument(
        "--baseline",
        action="append",
        metavar="PATH",
        help="baseline runs: files, folders or globs (repeatable); several runs give medians",
    )
    diff_cmd.add_argument(
        "--run", metavar="ID", help="the current run, when its file holds several"
    )
    diff_cmd.add_argument(
        "--format", choices=("text", "json", "markdown"), help="print a report instead of the UI"
    )
    diff_cmd.add_argument(
        "--fail-on",
        choices=("regression", "status", "any"),
        help="exit 1 when such a change is found (0 when not, 2 on unreadable input)",
    )
    diff_cmd.add_argument(
        "--min-seconds",
        type=float,
        default=0.05,
        metavar="S",
        help="a duration change counts past S seconds (default 0.05)",
    )
    diff_cmd.add_argument(
        "--min-percent",
        type=float,
        default=20.0,
        metavar="P",
        help="... and past P percent (default 20)",
    )
    dialect_option(diff_cmd)

    runs = command("runs", cmd_runs, "list runs from files and folders, with per-workflow stats")
    _files(runs.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs"))
    runs.add_argument("--name", metavar="N", help="only this workflow or skill (exact name)")
    runs.add_argument("--since", metavar="T", help="started at or after T (ISO time, or 24h, 7d)")
    runs.add_argument("--until", metavar="T", help="started at or before T")
    runs.add_argument(
        "--status",
        metavar="S",
        help="only these statuses, comma-separated "
        "(ok, failed, timed_out, cancelled, running, ...)",
    )
    runs.add_argument("--text", metavar="Q", help="name, id, failing node or error contains Q")
    runs.add_argument("--limit", type=int, metavar="N", help="the N newest runs")
    runs.add_argument("--json", action="store_true", help="machine-readable JSON")
    dialect_option(runs)

    export = command(
        "export", cmd_export, "write a trace as Chrome/Perfetto, JSON, CSV, HTML or markdown"
    )
    _files(export.add_argument("path", help="trace file (- for stdin; .gz is fine)"))
    export.add_argument("--to", required=True, choices=EXPORT_FORMATS, help="output format")
    export.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    export.add_argument(
        "--no-raw",
        action="store_true",
        help="json: leave out the source records (smaller, not lossless)",
    )
    dialect_option(export)

    completion = command(
        "completion", cmd_completion, "print a tab-completion script for bash, zsh or fish"
    )
    completion.add_argument("shell", choices=COMPLETION_SHELLS, help="the shell to complete in")

    validate = command("validate", cmd_validate, "check a trace for inconsistencies")
    _files(validate.add_argument("path", help="trace file (- for stdin; .gz is fine)"))
    validate.add_argument("--json", action="store_true", help="machine-readable JSON")
    dialect_option(validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "max_size", None):
        set_input_limit(args.max_size)
    try:
        code: int = args.handler(args)
        return code
    except InputError as exc:
        print(f"tracetui: {safe_line(exc.source)}: {safe_line(str(exc.error))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a user must never see a traceback
        if os.environ.get("TRACETUI_DEBUG"):
            raise
        print(internal_error_line(exc), file=sys.stderr)
        return EXIT_INTERNAL


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected error gets on stderr."""
    return (
        f"tracetui: internal error: {type(exc).__name__}: {shorten(safe_line(str(exc)), 200)} "
        "(a bug: set TRACETUI_DEBUG=1 for the traceback)"
    )
