"""``tracetui completion``: a tab-completion script generated from the parser itself."""

from __future__ import annotations

import argparse

from tracetui.cli.common import EXIT_OK, emit

HELP = "print a tab-completion script for bash, zsh or fish"
SHELLS = ("bash", "zsh", "fish")


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    sub.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    """Print the script for the shell (shtab writes it from the parser)."""
    import shtab

    from tracetui.cli import build_parser

    emit(shtab.complete(build_parser(), shell=args.shell))
    return EXIT_OK
