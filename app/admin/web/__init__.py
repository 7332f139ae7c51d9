"""Web face of administration: people and their roles, the audit log."""
