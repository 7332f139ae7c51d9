"""Web face of accounts: signing up and in, OpenID Connect, two-factor, emailed links, own account."""
