"""Settings that last between sessions: the theme and a keymap, in a small TOML file in the
platform's config folder (``~/.config/tracetui/config.toml`` on Linux; ``TRACETUI_CONFIG``
names another file)::

    theme = "textual-light"

    [keymap]            # binding id = keys, as Textual names them (see ``?``)
    "spans.next_failure" = "right_square_bracket,ctrl+n"
    "app.quit" = "q,ctrl+q"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from tracetui.atomic import write_atomic


@dataclass(slots=True)
class Settings:
    """What the config file says; ``problems`` are what it said that could not be used."""

    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    persist: bool = False  # save changes (only settings read from the user's file)


def config_path() -> Path:
    """Where the settings live."""
    named = os.environ.get("TRACETUI_CONFIG")
    if named:
        return Path(named)
    return Path(user_config_dir("tracetui")) / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """The settings in the file (none when there is no file); never raises."""
    path = path or config_path()
    settings = Settings(persist=True)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        settings.problems.append(f"{path}: not read ({exc})")
        return settings
    theme = document.get("theme")
    if isinstance(theme, str):
        settings.theme = theme
    elif theme is not None:
        settings.problems.append(f"{path}: 'theme' must be a string")
    keymap = document.get("keymap", {})
    if not isinstance(keymap, dict):
        settings.problems.append(f"{path}: [keymap] must be a table")
        keymap = {}
    for binding_id, keys in keymap.items():
        if isinstance(keys, str) and keys.strip():
            settings.keymap[str(binding_id)] = keys
        else:
            settings.problems.append(f"{path}: keymap {binding_id!r} must be keys, as a string")
    return settings


def _quoted(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings (atomically; the folder is made when missing). Raises OSError."""
    path = path or config_path()
    lines = ["# tracetui settings (the theme is saved when you change it)"]
    if settings.theme:
        lines.append(f"theme = {_quoted(settings.theme)}")
    if settings.keymap:
        lines += ["", "[keymap]"]
        lines += [f"{_quoted(k)} = {_quoted(v)}" for k, v in sorted(settings.keymap.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "\n".join(lines) + "\n")
