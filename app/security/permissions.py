"""Every permission the application checks, one line each on what it allows."""

from __future__ import annotations

import enum


class Permission(enum.Enum):
    READ_CONSULTATION = "consultation:read"
    """See a consultation, its roundtables, key messages and visible contributions."""

    SEE_DRAFTS = "consultation:see_drafts"
    """See consultations that are still being prepared."""

    CONTRIBUTE = "discussion:contribute"
    """Take a position on a key message or reply in a thread of an open consultation."""

    ENDORSE = "discussion:endorse"
    """Co-sign a contribution on behalf of an organisation one belongs to."""

    READ_OWN_CONTRIBUTION = "discussion:read_own"
    """Read a contribution one wrote, also when it is not for publication."""

    EDIT_OWN_CONTRIBUTION = "discussion:edit_own"
    """Change or withdraw a contribution one wrote (edits only within the edit window)."""

    APPEAL = "moderation:appeal"
    """Ask for a moderator's decision on one's own contribution to be reviewed."""

    REPORT = "moderation:report"
    """Report a contribution to the moderators, once, with a reason."""

    SEE_UNPUBLISHED = "discussion:see_unpublished"
    """Read contributions their authors marked "not for publication"."""

    SEE_WITHHELD_NAMES = "moderation:see_withheld_names"
    """See who wrote a contribution published anonymously or for an organisation only."""

    RETAG = "moderation:retag"
    """Correct the topics a contribution is tagged with, with a reason."""

    SEE_HIDDEN_BODY = "moderation:see_hidden"
    """Read the body of a contribution a moderator has hidden."""

    MODERATE = "moderation:moderate"
    """Hide or restore a contribution, with a reason."""

    PIN_HIGHLIGHT = "moderation:pin_highlight"
    """Pin a contribution as a highlight of its key message, with a reason, or unpin it."""

    SUMMARISE_THREAD = "moderation:summarise_thread"
    """Write and edit the moderation team's summary of a thread, and see who wrote each version."""

    MERGE_THREAD = "moderation:merge_thread"
    """Merge a duplicate thread into another: it then links there and takes no new replies."""

    EXPORT = "export:consultation"
    """Download the consolidated input of a consultation."""

    READ_OWN_EXPORT = "export:read_own"
    """Follow an export one asked for and download its file and manifest, while one may export."""
    CURATE_INPUT = "consolidation:curate"
    """Mark what negotiators made of each contribution, keep internal notes and record
    revised wordings of key messages; read all three."""
    CONSOLIDATE = "consolidation:read"
    """Read a consultation's consolidation workspace: position matrices, grouped amendments,
    most-quoted passages, under the negotiators' filters."""

    MANAGE_ROLES = "accounts:manage_roles"
    """Grant and revoke the moderator, negotiator and admin roles."""

    CONFIGURE_CONSULTATIONS = "consultation:configure"
    """Change how a consultation is run on the site, such as its pre-moderation."""

    READ_AUDIT_LOG = "audit:read"
    """Read the audit log of sign-ins, role changes and other security events."""

    MANAGE_OWN_ACCOUNT = "accounts:manage_own"
    """Change one's own sign-in settings, such as two-factor authentication."""

    EDIT_ORGANISATION = "organisations:edit"
    """Change an organisation's profile (its admins)."""

    MANAGE_MEMBERS = "organisations:manage_members"
    """Invite people, answer requests to join, make members admins or remove them (its admins)."""

    VERIFY_ORGANISATION = "organisations:verify"
    """Mark an organisation as checked, or take the mark back; see the organisations to verify."""

    ANSWER_CLAIM = "organisations:answer_claim"
    """Answer a request to join an organisation that has no admin; the approved person becomes its admin."""

    REQUEST_TO_JOIN = "organisations:request_to_join"
    """Ask the admins of an organisation one does not belong to for membership."""

    LEAVE_ORGANISATION = "organisations:leave"
    """Stop being a member of an organisation."""
