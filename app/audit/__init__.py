"""The audit log: who did what to whom, append-only, readable by admins."""
