"""Settings that last: the theme and a keymap, read from and saved to the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import sample
from tracetui.app.app import TraceApp
from tracetui.app.settings import Settings, load_settings, save_settings
from tracetui.app.span_list import SpanList
from tracetui.inputs.start import Explore
from tracetui.loaders import load_path


def test_settings_round_trip_and_bad_files_are_told(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_settings(Settings(theme='my "theme"', keymap={"spans.next_failure": "x,ctrl+n"}), path)
    again = load_settings(path)
    assert again.theme == 'my "theme"' and again.keymap == {"spans.next_failure": "x,ctrl+n"}
    assert load_settings(tmp_path / "missing.toml") == Settings(persist=True)
    broken = tmp_path / "broken.toml"
    broken.write_text("theme = [1\n")
    assert load_settings(broken).problems
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('theme = 3\n[keymap]\n"a.b" = 4\n')
    assert len(load_settings(wrong).problems) == 2


async def test_a_keymap_remaps_a_binding_by_its_id() -> None:
    settings = Settings(keymap={"spans.next_failure": "x"})
    app = TraceApp(Explore(load_path(sample("victor/code_review.trace.json"))), settings)
    async with app.run_test(size=(100, 30)) as pilot:
        spans = app.screen.query_one(SpanList)
        before = spans.selected_span
        await pilot.press("x")
        assert spans.selected_span != before
        assert spans.trace.spans[spans.selected_span or 0].status.is_failure


async def test_the_chosen_theme_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("TRACETUI_CONFIG", str(path))
    app = TraceApp(Explore(load_path(sample("victor/code_review.trace.json"))), load_settings())
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    assert load_settings(path).theme == "textual-light"
    again = TraceApp(Explore(load_path(sample("victor/code_review.trace.json"))), load_settings())
    assert again.theme == "textual-light"


async def test_an_unknown_theme_falls_back_with_a_notice() -> None:
    app = TraceApp(
        Explore(load_path(sample("victor/code_review.trace.json"))), Settings(theme="nope")
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("nope" in n.message for n in app._notifications)
