"""Consolidated input for negotiators: pure builders and format writers."""
