"""``tracetui open``: the explorer on a trace, or the runs view on several."""

from __future__ import annotations

import argparse

from tracetui.cli.common import input_options, many_paths

HELP = "explore a trace interactively"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(
        sub,
        "+",
        "a trace file (- for stdin; .gz is fine), or several files, folders, globs, or a "
        "database URL",
    )
    sub.add_argument(
        "--follow",
        action="store_true",
        help="keep the view live while the producer appends to the file",
    )
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Work out what to show, then run the app on it."""
    from tracetui.app.run import run_app
    from tracetui.inputs.load import label
    from tracetui.inputs.start import start_for

    start = start_for(args.paths, args.dialect, follow=args.follow)
    # Named safely: a database URL without its password.
    return run_app(start, " ".join(label(path) for path in args.paths))
