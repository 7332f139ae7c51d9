"""A worker starts without the libraries only rare requests need (issue 10: idle memory per
worker). Each is imported by the code that uses it, on first use; imported at start-up again
(say by a module-level import in a module the site loads), it would sit in every worker's
memory whether or not that worker ever needs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app.settings import PROJECT_ROOT

#: Top-level module -> why a worker can do without it until a request needs it.
LOADED_ON_FIRST_USE = {
    "authlib": "OpenID Connect sign-in only (app.accounts.oidc_dance)",
    "httpx2": "Authlib's HTTP client, for the same sign-in",
    "joserfc": "Authlib's ID token checks, for the same sign-in",
    "qrcode": "the QR code of the two-factor setup page only",
    "aiosmtplib": "sending mail by SMTP only",
    "pypdf": "checking an uploaded position paper only (app.discussion.attachments.checked_pdf)",
    "cryptography": "pypdf's and Authlib's encryption, for the same two",
    "docx": "writing a DOCX document, in the export worker (app.export.documents.formats)",
    "openpyxl": "writing an XLSX document, likewise",
    "weasyprint": "laying out a PDF document, likewise",
    "datasketch": "grouping campaigns, in the background job (app.discussion.near_duplicates)",
    "scipy": "datasketch's, for the same",
}

# What `uvicorn app.asgi:app` does in each worker: build the site from the environment.
START_A_WORKER = """
import json, sys
import app.asgi
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def test_a_worker_starts_without_what_only_rare_requests_need(tmp_path):
    environment = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "ROUNDTABLE_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'never-opened.db'}",
        "ROUNDTABLE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "test-only",
        # As a site with a provider configured is built: the sign-in buttons, the dance cookie.
        "OIDC_PROVIDERS": "example",
        "OIDC_EXAMPLE_ISSUER": "https://id.example.org",
        "OIDC_EXAMPLE_CLIENT_ID": "roundtable",
        "OIDC_EXAMPLE_CLIENT_SECRET": "test-only",
        "OIDC_EXAMPLE_LABEL": "Example ID",
    }
    started = subprocess.run(
        [sys.executable, "-c", START_A_WORKER],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(json.loads(started.stdout))

    assert "starlette" in loaded  # the site was built
    assert {name: why for name, why in LOADED_ON_FIRST_USE.items() if name in loaded} == {}
