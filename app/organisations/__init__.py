"""Organisation profiles, their members and admins, invitations and verification."""
