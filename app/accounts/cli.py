"""`roundtable users create`: accounts for moderators, negotiators and admins.

An operator vouches for the people they create, so their email address counts as verified."""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.passwords_policy import password_problem
from app.accounts.services import EMAIL_PATTERN, AccountError, create_user, is_country_code
from app.accounts.two_factor import normalised_secret, secret_problem
from app.db import utcnow
from app.organisations.directory import NewOrganisation, create_organisation, find_organisation, place_member
from app.organisations.models import OrganisationType
from app.security.roles import Role


async def create_user_from_cli(db: AsyncSession, args: argparse.Namespace) -> int:
    if not EMAIL_PATTERN.match(args.email):
        raise AccountError("email", f"not an email address: {args.email!r}")
    problem = password_problem(args.password, email=args.email, name=args.name)
    if problem is not None:
        raise AccountError("password", problem)
    organisation, organisation_admin = None, False
    if args.org_name:
        types = [t.value for t in OrganisationType]
        if args.org_type not in types:
            raise AccountError("org_type", f"--org-type must be one of: {', '.join(types)}")
        if not args.country or not is_country_code(args.country.upper()):
            raise AccountError("country", f"--country must be an ISO 3166-1 alpha-2 code, not {args.country!r}")
        # The operator vouches: the person joins an existing organisation of that name and
        # country at once, or becomes the first admin of a new one.
        new = NewOrganisation(args.org_name, OrganisationType(args.org_type), args.country.upper())
        organisation = await find_organisation(db, new)
        if organisation is None:
            organisation, organisation_admin = await create_organisation(db, new), True
    user = await create_user(
        db,
        email=args.email,
        password=args.password,
        display_name=args.name,
        role=Role(args.role),
    )
    if organisation is not None:
        await place_member(db, user, organisation, admin=organisation_admin)
    user.email_verified_at = utcnow()  # the operator vouches for the address
    if args.totp_secret:
        enable_two_factor_from_cli(user, args.totp_secret)
    return user.id


def enable_two_factor_from_cli(user: User, secret: str) -> None:
    """Provision two-factor with a secret the operator already shared with the person; one
    that sign-in could not use, or that is weaker than 160 bits, is refused."""
    secret = normalised_secret(secret)
    problem = secret_problem(secret)
    if problem is not None:
        raise AccountError("totp_secret", f"--totp-secret {problem}")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
