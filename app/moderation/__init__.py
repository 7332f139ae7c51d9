"""Moderation: hiding and restoring contributions, with an append-only log."""
