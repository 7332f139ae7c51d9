"""Background jobs: work too long for a request, queued in the database and run by `roundtable worker`."""
