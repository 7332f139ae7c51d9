"""The negotiators' workspace pages."""
