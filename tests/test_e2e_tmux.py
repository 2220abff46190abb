"""tracetui in a real terminal: tmux runs it, keys are sent, the screen text is read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.helpers import ROOT, sample

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Terminal:
    """One detached tmux session of a fixed size running one command."""

    def __init__(self, command: list[str], width: int = 100, height: int = 30) -> None:
        self.name = f"tracetui-test-{uuid.uuid4().hex[:8]}"
        # A server of its own per terminal: one test closing its last session stops only its
        # own server, so another test's new-session never meets a server on its way out.
        self.tmux = ["tmux", "-L", self.name, "-f", os.devnull]
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TMUX")}
        env["TERM"] = "xterm-256color"
        shell_command = " ".join(_quote(part) for part in command)
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-x",
                str(width),
                "-y",
                str(height),
                "-s",
                self.name,
                f"cd {_quote(str(ROOT))} && {shell_command}; sleep 30",
            ],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        done = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, ready: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if ready(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"screen never got there; last screen:\n{text}")

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture
def terminal() -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(*args: str, width: int = 100, height: int = 30) -> Terminal:
        term = Terminal([sys.executable, "-m", "tracetui", *args], width, height)
        opened.append(term)
        return term

    yield open_terminal
    for term in opened:
        term.close()


def test_next_failure_shows_the_error_in_a_real_terminal(terminal: Callable[..., Terminal]) -> None:
    term = terminal("open", sample("victor/code_review.trace.json"))
    first = term.wait_for(lambda s: "code_review" in s and "human_review" in s)
    assert "\u2717 failed" in first
    term.send("]")
    screen = term.wait_for(lambda s: "FileNotFoundError" in s)
    assert "No such file or directory: 'src/missing.py'" in screen
    term.send("]")
    screen = term.wait_for(lambda s: "AssertionError: expected 200, got 500" in s)
    assert "at tests/test_api.py:88" in screen  # the full, multi-line error
    term.send("q")
    term.wait_for(lambda s: "human_review" not in s)


def test_runs_list_search_and_quit_at_80x24(terminal: Callable[..., Terminal]) -> None:
    term = terminal("open", sample("cfn/execution_traces.rows.psql.jsonl"), width=80, height=24)
    term.wait_for(lambda s: "10 runs" in s)
    term.send("/")
    term.wait_for(lambda s: "name:X since:24h" in s)
    term.send("-l", "connection timeout redis")
    term.wait_for(lambda s: "showing 1" in s)
    term.send("Enter")
    time.sleep(0.3)
    term.send("Enter")
    term.wait_for(lambda s: "Detail" in s and "connect" in s)
    term.send("/")
    term.wait_for(lambda s: "search names and errors" in s)  # the box is open, as a user sees
    term.send("-l", "timeout")
    term.wait_for(lambda s: "timeout" in s.splitlines()[-2])
    term.send("Enter")
    screen = term.wait_for(lambda s: "search: timeout (1)" in s)
    assert "connection timeout redis" in screen
    term.send("Escape")  # clears the search
    term.wait_for(lambda s: "search:" not in s)
    time.sleep(0.3)  # separate key presses: ESC bytes sent together read as one Alt sequence
    term.send("Escape")  # back to the runs
    term.wait_for(lambda s: "10 runs" in s)
    term.send("q")
    term.wait_for(lambda s: "10 runs" not in s)


def test_no_color_terminal_still_shows_status_words(terminal: Callable[..., Terminal]) -> None:
    term = Terminal(
        [
            "env",
            "NO_COLOR=1",
            sys.executable,
            "-m",
            "tracetui",
            "open",
            sample("dagron/timeout.events.json"),
        ]
    )
    try:
        screen = term.wait_for(lambda s: "slow_api" in s)
        assert "timed out" in screen
        assert "skipped" in screen
    finally:
        term.close()


def test_bad_input_prints_one_line_and_no_ui(
    terminal: Callable[..., Terminal], tmp_path: object
) -> None:
    term = terminal("open", str(ROOT / "pyproject.toml"))
    screen = term.wait_for(lambda s: "tracetui:" in s)
    assert "pyproject.toml" in screen
    assert "Traceback" not in screen


def test_a_hostile_trace_cannot_take_over_the_terminal(
    terminal: Callable[..., Terminal], tmp_path: Path
) -> None:
    """Names and errors holding screen-clearing escapes, bidi overrides, markup and wide
    characters are drawn as visible text; the screen is not cleared and nothing crashes."""
    names = ["fetch[/api/v1]", "clear\x1b[2Jscreen", "rev\u202eesrever", "名前のノード"]
    spans = [
        {
            "key": n,
            "name": n,
            "start": i,
            "end": i + 1,
            "status": "failed",
            "error": n + "\x1b]52;c;aGk=\x07",
        }
        for i, n in enumerate(names)
    ]
    path = tmp_path / "hostile.json"
    path.write_bytes(
        orjson.dumps(
            {"format": "tracetui.model/v1", "traces": [{"name": "hostile", "spans": spans}]}
        )
    )
    term = terminal("open", str(path), width=80, height=24)
    screen = term.wait_for(lambda s: "fetch[/api/v1]" in s and "名前のノード" in s)
    assert "clear␛[2Jscreen" in screen and "<U+202E>" in screen
    term.send("y")
    screen = term.wait_for(lambda s: "Copied" in s)
    term.send("/")
    term.wait_for(lambda s: "search names and errors" in s)
    term.send("-l", "[/x]")
    term.wait_for(lambda s: "[/x]" in s.splitlines()[-2])
    term.send("Enter")
    screen = term.wait_for(lambda s: "No span matches" in s)
    assert "fetch[/api/v1]" in screen  # the rows are still there: nothing cleared them
    term.send("q")
    term.wait_for(lambda s: "fetch[/api/v1]" not in s)


def test_esc_goes_back_the_way_the_user_came(terminal: Callable[..., Terminal]) -> None:
    """runs → run → failures → node, then Esc back through each; only q quits."""
    term = terminal("open", sample("cfn/execution_traces.rows.psql.jsonl"), width=80, height=24)
    term.wait_for(lambda s: "10 runs" in s)
    term.send("Enter")  # the newest run
    term.wait_for(lambda s: "Detail" in s and "10 runs" not in s)
    term.send("F")
    term.wait_for(lambda s: "Failures" in s and "families" in s)
    term.send("Enter")  # unfold the first family
    time.sleep(0.3)
    term.send("j")
    time.sleep(0.3)
    term.send("Enter")  # go to that failing node
    term.wait_for(lambda s: "Detail" in s and "families" not in s)
    term.send("Escape")
    term.wait_for(lambda s: "families" in s)  # back to the failures, not the runs
    time.sleep(0.3)
    term.send("Escape")
    term.wait_for(lambda s: "Detail" in s and "families" not in s)  # the run
    time.sleep(0.3)
    term.send("Escape")
    term.wait_for(lambda s: "10 runs" in s)  # the runs
    time.sleep(0.3)
    term.send("Escape")  # Esc on the first screen does not quit
    time.sleep(0.5)
    assert "10 runs" in term.screen()
    term.send("q")
    term.wait_for(lambda s: "10 runs" not in s)


def test_a_diff_from_the_runs_view_comes_back_with_the_marks(
    terminal: Callable[..., Terminal],
) -> None:
    term = terminal("open", sample("cfn/execution_traces.rows.psql.jsonl"), width=100, height=30)
    term.wait_for(lambda s: "10 runs" in s)
    term.send("m")
    time.sleep(0.2)
    term.send("j")
    time.sleep(0.2)
    term.send("m")
    time.sleep(0.2)
    term.send("d")
    term.wait_for(lambda s: "regression" in s and "baseline" in s)
    term.send("Escape")
    screen = term.wait_for(lambda s: "10 runs" in s)
    marks = [line for line in screen.splitlines() if line.startswith(("›A", " A", "›B", " B"))]
    assert len(marks) == 2, screen
    term.send("/")
    term.wait_for(lambda s: "name:X since:24h" in s)
    term.send("-l", "status:fa")  # half-typed: no notification per key
    time.sleep(0.5)
    screen = term.screen()
    assert "not applied" in screen and "is not a Status" not in screen
    term.send("Escape")  # closes the box
    time.sleep(0.3)
    term.send("Escape")  # clears the filter
    term.wait_for(lambda s: "filter:" not in s)
    term.send("C-c")  # quits, as people over SSH expect
    term.wait_for(lambda s: "10 runs" not in s)
