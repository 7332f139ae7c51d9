"""`roundtable users create`: accounts for moderators, negotiators and admins.

An operator vouches for the people they create, so their email address counts as verified."""

from __future__ import annotations

import argparse
import base64

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.forms import EMAIL_PATTERN
from app.accounts.models import OrganisationType, Role, User
from app.accounts.passwords_policy import password_problem
from app.accounts.services import (
    AccountError,
    NewOrganisation,
    create_user,
    find_or_create_organisation,
    is_country_code,
)
from app.db import utcnow


async def create_user_from_cli(db: AsyncSession, args: argparse.Namespace) -> int:
    if not EMAIL_PATTERN.match(args.email):
        raise AccountError("email", f"not an email address: {args.email!r}")
    problem = password_problem(args.password, email=args.email, name=args.name)
    if problem is not None:
        raise AccountError("password", problem)
    organisation = None
    if args.org_name:
        types = [t.value for t in OrganisationType]
        if args.org_type not in types:
            raise AccountError("org_type", f"--org-type must be one of: {', '.join(types)}")
        if not args.country or not is_country_code(args.country.upper()):
            raise AccountError("country", f"--country must be an ISO 3166-1 alpha-2 code, not {args.country!r}")
        organisation = await find_or_create_organisation(
            db, NewOrganisation(args.org_name, OrganisationType(args.org_type), args.country.upper())
        )
    user = await create_user(
        db,
        email=args.email,
        password=args.password,
        display_name=args.name,
        role=Role(args.role),
        organisation=organisation,
    )
    user.email_verified_at = utcnow()  # the operator vouches for the address
    if args.totp_secret:
        enable_two_factor_from_cli(user, args.totp_secret)
    return user.id


def enable_two_factor_from_cli(user: User, secret: str) -> None:
    """Provision two-factor with a secret the operator already shared with the person."""
    secret = "".join(secret.split()).upper()
    try:
        base64.b32decode(secret + "=" * (-len(secret) % 8))
    except ValueError as error:
        raise AccountError("totp_secret", f"--totp-secret must be base32 (A-Z, 2-7): {error}") from error
    if len(secret) < 16:
        raise AccountError("totp_secret", "--totp-secret must have at least 16 base32 characters (80 bits)")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
