"""Web face of organisations: profiles, editing, verification, members, invitations, the moderators' review."""
