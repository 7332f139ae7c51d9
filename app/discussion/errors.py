"""The error every discussion rule raises: a message for the person, tied to a form field."""

from __future__ import annotations


class ContributionError(Exception):
    """A rule about contributions was broken; the message is for the person, by field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
