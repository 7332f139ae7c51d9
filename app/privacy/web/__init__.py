"""Web face of privacy: the notice, downloading one's data, deleting one's account."""
