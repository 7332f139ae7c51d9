"""Shared web plumbing: request state, forms, flash messages, redirects, error pages, text rendering."""
