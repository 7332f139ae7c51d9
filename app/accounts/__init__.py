"""People, organisations, memberships, server-side sessions and sign-in."""
