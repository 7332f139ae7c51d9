"""Human labels for audit tags, translated at the time of use."""

from __future__ import annotations

from app.audit import services as tags
from app.i18n import _


def tag_choices() -> list[tuple[str, str]]:
    labels = {
        tags.SIGN_IN: _("Signed in"),
        tags.SIGN_IN_FAILED: _("Sign-in refused"),
        tags.ROLE_GRANT: _("Role granted"),
        tags.ROLE_REVOKE: _("Role revoked"),
        tags.TWO_FACTOR_ENABLE: _("Two-factor turned on"),
        tags.TWO_FACTOR_VERIFY: _("Two-factor code accepted"),
        tags.TWO_FACTOR_VERIFY_FAILED: _("Two-factor code refused"),
        tags.RECOVERY_CODE_USED: _("Recovery code used"),
        tags.ORGANISATION_VERIFY: _("Organisation verified"),
        tags.ORGANISATION_UNVERIFY: _("Organisation verification revoked"),
        tags.PRIVACY_EXPORT: _("Personal data downloaded"),
        tags.PRIVACY_ERASE: _("Account deleted"),
        tags.CONSULTATION_SCHEDULE: _("Consultation scheduled"),
        tags.CONSULTATION_PREMODERATION: _("Pre-moderation changed"),
        tags.CONSULTATION_OUTCOME: _("“What we heard” pages turned on or off"),
        tags.SIGN_UP: _("Account created"),
        tags.SIGN_UP_EXISTING: _("Sign-up tried with the address of this account"),
        tags.EMAIL_VERIFIED: _("Email address confirmed"),
        tags.MEMBERSHIP_JOIN: _("Joined an organisation"),
        tags.MEMBERSHIP_REQUEST: _("Asked to join an organisation"),
        tags.MEMBERSHIP_APPROVE: _("Request to join approved"),
        tags.MEMBERSHIP_DECLINE: _("Request to join declined"),
        tags.MEMBERSHIP_CLAIM_APPROVE: _("Claim of an organisation without admins approved"),
        tags.MEMBERSHIP_CLAIM_DECLINE: _("Claim of an organisation without admins declined"),
        tags.ORGANISATION_VERIFICATION_LAPSE: _("Organisation verification lapsed after an edit"),
        tags.MEMBERSHIP_MAKE_ADMIN: _("Made organisation admin"),
        tags.MEMBERSHIP_REMOVE: _("Removed from an organisation"),
        tags.MEMBERSHIP_LEAVE: _("Left an organisation"),
        tags.INVITATION_SEND: _("Invitation sent"),
        tags.INVITATION_ACCEPT: _("Invitation accepted"),
        tags.EXPORT_DOWNLOAD: _("Export downloaded"),
    }
    return [(tag, labels[tag]) for tag in tags.TAGS]
