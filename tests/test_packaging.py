"""How tracetui installs and completes: ranges for users, exact pins for the tests, a licence,
and tab completion generated from the parser itself."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest

from tests.cli_helpers import run
from tests.helpers import ROOT
from tracetui.cli import build_parser
from tracetui.cli.completion import SHELLS as COMPLETION_SHELLS

SUBCOMMANDS = [
    "open",
    "summary",
    "failures",
    "diff",
    "runs",
    "export",
    "report",
    "completion",
    "validate",
]


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def test_runtime_dependencies_are_ranges_and_the_tests_pin_them() -> None:
    dependencies = project()["dependencies"]
    assert isinstance(dependencies, list)
    assert not [d for d in dependencies if "==" in d], dependencies
    pinned = {
        line.split("==")[0].lower()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    for requirement in dependencies:
        name = requirement.split(">")[0].split("<")[0].split("[")[0].strip().lower()
        assert name in pinned, f"{name} has no exact version in constraints.txt"


def test_the_readme_installs_the_tests_with_the_constraints() -> None:
    readme = (ROOT / "README.md").read_text()
    command = readme.split("<!-- test-command -->")[1].split("<!-- /test-command -->")[0]
    assert "-c constraints.txt" in command


def test_the_licence_is_in_the_repository_and_declared() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert project()["license"] == "MIT"
    assert project()["license-files"] == ["LICENSE"]


def test_the_package_description_is_a_short_summary() -> None:
    readme = project()["readme"]
    assert isinstance(readme, dict)
    assert len(readme["text"]) < 1000 and "](" not in readme["text"]


def test_every_subcommand_is_in_the_parser() -> None:
    parser = build_parser()
    choices = next(
        a for a in parser._actions if a.dest == "command"
    ).choices  # the subparsers action
    assert choices is not None and sorted(choices) == sorted(SUBCOMMANDS)


@pytest.mark.parametrize("shell", COMPLETION_SHELLS)
def test_completion_scripts_name_every_subcommand(shell: str) -> None:
    result = run("completion", shell)
    assert result.code == 0, result.err
    for command in SUBCOMMANDS:
        assert command in result.out, (shell, command)
    assert "--max-size" in result.out and "otlp" in result.out


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_tab_tab_lists_the_commands_in_bash() -> None:
    script = run("completion", "bash").out
    probe = (
        script
        + "\nCOMP_WORDS=(tracetui ''); COMP_CWORD=1; COMP_LINE='tracetui '; COMP_POINT=9"
        + "\n_shtab_tracetui; printf '%s\\n' \"${COMPREPLY[@]}\""
        + "\nCOMP_WORDS=(tracetui export x --to ''); COMP_CWORD=4"
        + "\n_shtab_tracetui; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=False)
    offered = done.stdout.split()
    assert set(SUBCOMMANDS) <= set(offered), done.stdout + done.stderr
    assert {"chrome", "otlp", "csv"} <= set(offered)
