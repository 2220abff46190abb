"""Pure analysis over the model: summaries, critical paths, validation."""
