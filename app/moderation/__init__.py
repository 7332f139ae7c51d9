"""Moderation: hiding and restoring contributions and correcting their topics, with an append-only log."""
