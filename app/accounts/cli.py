"""`roundtable users create`: accounts for moderators, negotiators and admins."""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.forms import EMAIL_PATTERN, MIN_PASSWORD_LENGTH
from app.accounts.models import OrganisationType, Role
from app.accounts.services import (
    AccountError,
    NewOrganisation,
    create_user,
    find_or_create_organisation,
    is_country_code,
)


async def create_user_from_cli(db: AsyncSession, args: argparse.Namespace) -> int:
    if not EMAIL_PATTERN.match(args.email):
        raise AccountError("email", f"not an email address: {args.email!r}")
    if len(args.password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
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
    return user.id
