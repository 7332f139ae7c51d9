#!/usr/bin/env bash
# Make sure PostgreSQL answers on $PGHOST:$PGPORT and (re)create the test database.
set -euo pipefail
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
if ! pg_isready -q; then
  cluster=$(ls /etc/postgresql 2>/dev/null | head -1 || true)
  [ -n "$cluster" ] && pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
pg_isready -q || { echo "PostgreSQL is not answering on $PGHOST:$PGPORT (see README, 'PostgreSQL')" >&2; exit 1; }
dropdb --if-exists --force "$1" && createdb "$1"
