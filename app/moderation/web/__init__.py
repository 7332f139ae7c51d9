"""Web face of moderation: hiding, restoring and retagging a contribution, with a reason."""
