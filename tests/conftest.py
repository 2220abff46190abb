"""Test-wide settings: snapshots must not depend on the developer's terminal."""

from __future__ import annotations

import os

# NO_COLOR changes every snapshot; the tests that need it set it themselves.
os.environ.pop("NO_COLOR", None)
os.environ.pop("TRACETUI_DEBUG", None)
