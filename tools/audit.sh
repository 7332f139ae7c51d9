#!/usr/bin/env bash
# make audit: pip-audit the locked runtime packages (requirements.lock) against a vulnerability
# service, AUDIT_SERVICE=pypi (pypi.org's JSON API, pip-audit's default) or osv (api.osv.dev;
# AUDIT_OSV_URL names another OSV-compatible server). A known vulnerability fails it.
#
# So does a service that cannot be asked. pip-audit alone reports a package the service does
# not answer for as "not found on PyPI", says "No known vulnerabilities found" and exits 0:
# a pass that audited nothing. So this asks the service about the first locked package first
# and stops with a plain message if it does not answer, and runs pip-audit with --strict, which
# fails on any package left unaudited.
set -euo pipefail
lock=${1:-requirements.lock}
service=${AUDIT_SERVICE:-pypi}
bin=${BIN:-.venv/bin}

read -r name version < <(sed -n 's/^\([A-Za-z0-9._-]*\)==\([^ ;\\]*\).*/\1 \2/p' "$lock" | head -1)
if [ -z "${name:-}" ]; then
  echo "make audit: no pinned package in $lock" >&2
  exit 2
fi

options=()
case "$service" in
  pypi) ;;
  osv) options+=(--osv-url "${AUDIT_OSV_URL:-https://api.osv.dev}/v1/query") ;;
  *) echo "make audit: AUDIT_SERVICE is pypi or osv, not '$service'" >&2; exit 2 ;;
esac

"$bin/python" - "$service" "$name" "$version" <<'PYTHON' || exit 2
"""Ask the service about one package, as pip-audit will about each."""
import json
import os
import sys
import urllib.request

service, name, version = sys.argv[1:]
if service == "osv":
    url = os.environ.get("AUDIT_OSV_URL", "https://api.osv.dev") + "/v1/query"
    body = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
else:
    url = f"https://pypi.org/pypi/{name}/{version}/json"
    request = urllib.request.Request(url)
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        json.load(response)
except Exception as error:  # any failure means the same: nothing can be audited
    sys.exit(
        f"make audit: FAILED, nothing was audited. The {service} vulnerability service did not answer\n"
        f"  for {name} {version} ({url}: {error}).\n"
        "  Run it where that service is reachable, or choose another: make audit AUDIT_SERVICE=osv|pypi."
    )
PYTHON

exec "$bin/pip-audit" --strict --disable-pip --progress-spinner off --vulnerability-service "$service" \
  "${options[@]}" --requirement "$lock"
