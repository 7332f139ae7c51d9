"""Administration: granting roles and reading the audit log."""
