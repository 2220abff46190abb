"""tracetui: understand a workflow run from its execution trace, in a terminal."""

__version__ = "0.1.0"
