"""Outgoing mail: an outbox in the database, sent over SMTP (or to the console in development)."""
