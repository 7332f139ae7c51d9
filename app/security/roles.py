"""The roles a person can hold; the policy grants permissions by role."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    """What a person may do on the platform beyond contributing."""

    PARTICIPANT = "participant"  #: reads, takes positions, replies
    MODERATOR = "moderator"  #: also hides and restores contributions
    NEGOTIATOR = "negotiator"  #: also exports the consolidated input
    ADMIN = "admin"  #: everything, including managing people
