"""Turning what a user named (a file, -, many paths, a folder, a glob, a database URL) into
traces: limits, previews, background loading with progress, follow reloads, OTLP merging."""
