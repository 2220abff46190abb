"""What every command shares: exit codes, output, loading what was named, common options."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracetui.errors import TraceError
from tracetui.formats.json_text import dumps
from tracetui.inputs.database_url import STATEMENT_TIMEOUT_S
from tracetui.inputs.load import Loaded, SourceError, label, load_source, load_sources
from tracetui.loaders import DIALECTS
from tracetui.model import TraceSet
from tracetui.runfilter import RunFilter
from tracetui.source import DEFAULT_INPUT_LIMIT, settle, size_text
from tracetui.text import safe_line

if TYPE_CHECKING:
    from tracetui.inputs.failing import Found

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug of ours, not bad input


def usage_error(source: str, message: str) -> SourceError:
    """A mistake in how a command was called, reported like bad input (exit 2)."""
    return SourceError(source, TraceError(message))


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


def emit_documents(documents: Sequence[object]) -> None:
    """One source's JSON document as itself; several sources' as a list of them."""
    emit_json(documents[0] if len(documents) == 1 else documents)


def warn_loaded(traces: TraceSet) -> None:
    """Tell stderr what the loader skipped, so partial loads are never silent."""
    for message in traces.all_warnings():
        _say_warning(traces.source, message)


def _say_warning(source: str, message: str) -> None:
    print(f"tracetui: {safe_line(source)}: warning: {safe_line(message)}", file=sys.stderr)


def _say_skipped(skipped: list[tuple[str, str]]) -> None:
    for path, reason in skipped:
        print(f"tracetui: {safe_line(label(path))}: skipped: {safe_line(reason)}", file=sys.stderr)


def load(path: str, dialect: str | None) -> TraceSet:
    """One file, ``-`` or database URL; raises SourceError naming it."""
    loaded = load_source(path, dialect)
    settle()
    return loaded


def load_all(
    paths: list[str], dialect: str | None, wanted: RunFilter | None = None, *, warn: bool = True
) -> list[TraceSet]:
    """Files, folders, globs and database URLs, with what was skipped on stderr (and what
    the loaders could not place, unless ``warn`` is off: validate reports that itself)."""
    return reported(load_sources(paths, dialect, wanted), warn=warn)


def reported(loaded: Loaded, *, warn: bool = True) -> list[TraceSet]:
    """The sets loaded, once stderr has been told what was skipped and what the loaders
    could not place (unless ``warn`` is off)."""
    settle()
    _say_skipped(loaded.skipped)
    if warn:
        for traces in loaded.sets:
            warn_loaded(traces)
    return loaded.sets


def report_found(found: Found) -> None:
    """Tell stderr what was skipped and what the loaders could not place (once each)."""
    settle()
    _say_skipped(found.skipped)
    for source, message in dict.fromkeys(found.warnings):
        _say_warning(source, message)


def range_options(sub: argparse.ArgumentParser) -> None:
    """``--name``, ``--since`` and ``--until``: which runs, by workflow and start time."""
    sub.add_argument("--name", metavar="N", help="only this workflow or skill (exact name)")
    sub.add_argument("--since", metavar="T", help="started at or after T (ISO time, or 24h, 7d)")
    sub.add_argument(
        "--until", metavar="T", help="started at or before T (a bare date keeps that day)"
    )


def run_filter(
    args: argparse.Namespace,
    where: str,
    *,
    statuses: str | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> RunFilter:
    """The filter ``range_options`` (and the command's own flags) ask for; a bad value is a
    usage error naming ``where``."""
    from tracetui.runfilter import parse_statuses, parse_when

    try:
        return RunFilter(
            name=args.name,
            since=parse_when(args.since) if args.since else None,
            until=parse_when(args.until, end_of_day=True) if args.until else None,
            statuses=parse_statuses(statuses) if statuses else None,
            text=text,
            limit=limit,
        )
    except ValueError as exc:
        raise usage_error(where, str(exc)) from None


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


# shtab's own ``FILE`` completion, spelled out so that parsing never imports shtab.
_FILE_COMPLETION = {
    "bash": "_shtab_compgen_files",
    "zsh": "_files",
    "tcsh": "f",
    "fish": "(__fish_complete_path (commandline -ct))",
}


def files(argument: argparse.Action) -> None:
    """Complete this argument with file names (shtab reads the attribute)."""
    argument.complete = _FILE_COMPLETION  # type: ignore[attr-defined]


def input_options(sub: argparse.ArgumentParser) -> None:
    """``--dialect``, ``--max-size`` and ``--statement-timeout``, for every command that
    reads traces."""
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
    sub.add_argument(
        "--statement-timeout",
        type=positive_seconds,
        metavar="S",
        help="from a database: cancel a query that runs longer than S seconds "
        f"(default {STATEMENT_TIMEOUT_S:g})",
    )


def positive_seconds(text: str) -> float:
    """A number of seconds above zero (for argparse)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 1e6:
        raise argparse.ArgumentTypeError(f"not a usable number of seconds: {text!r}")
    return value


def json_option(sub: argparse.ArgumentParser) -> None:
    """``--json``, for the commands with a machine-readable form."""
    sub.add_argument("--json", action="store_true", help="machine-readable JSON")


def one_path(sub: argparse.ArgumentParser) -> None:
    """The single trace argument of export."""
    files(sub.add_argument("path", help="trace file (- for stdin; .gz is fine) or database URL"))


def many_paths(sub: argparse.ArgumentParser, nargs: str = "+", text: str = "") -> None:
    """The PATH... argument of the commands that read several sources."""
    files(
        sub.add_argument(
            "paths",
            nargs=nargs,
            metavar="PATH",
            help=text or "files, folders, globs or database URLs",
        )
    )
