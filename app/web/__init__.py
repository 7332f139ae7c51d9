"""Shared web plumbing: request-scoped database sessions, identity, flash messages, errors."""
