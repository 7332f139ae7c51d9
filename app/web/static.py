"""Static files under names that carry a hash of their content (issue 13, slow links):
`css/site.css` is linked as `css/site.<hash>.css`, which never changes meaning, so browsers
and caches keep it a year without asking again; a new version is a new name.

The hashes are computed once, when the app starts (a deploy restarts it). A name without a
hash, or with an earlier hash (a page still open from before a deploy), still gets the
current file, for a short while only, so no old page loses its styles or scripts."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: A hashed name is never reused for other content: kept a year, never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A name without the current hash may mean other content tomorrow: kept five minutes,
#: then revalidated (ETag).
SHORT = "public, max-age=300"
#: Hex digits of SHA-256 in a name: 48 bits, enough that two versions of a file never share one.
DIGEST_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[^./]+)$")


def content_digests(directory: Path) -> dict[str, str]:
    """Each file's path under `directory` (with /) and the start of its content's SHA-256."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def hashed_name(path: str, digest: str) -> str:
    """css/site.css -> css/site.<digest>.css (a name without a suffix takes it at the end)."""
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    named = f"{stem}.{digest}.{suffix}" if dot and stem else f"{name}.{digest}"
    return f"{folder}/{named}" if folder else named


class HashedStaticFiles(StaticFiles):
    """Starlette's static files, named and served by content hash (see the module)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)
        self.digests = content_digests(directory)
        self._by_hashed_name = {hashed_name(path, digest): path for path, digest in self.digests.items()}

    def public_path(self, path: str) -> str:
        """The name to link to: hashed when the file exists (app.urls asks for every link)."""
        digest = self.digests.get(path)
        return hashed_name(path, digest) if digest else path

    async def get_response(self, path: str, scope: Scope) -> Response:
        name = path.replace(os.sep, "/")
        current = self._by_hashed_name.get(name)
        response = await super().get_response(current or _unhashed(name), scope)
        response.headers["Cache-Control"] = IMMUTABLE if current else SHORT
        return response


def _unhashed(name: str) -> str:
    """The file an earlier hashed name stood for, or the name itself."""
    match = _HASHED.match(name)
    return f"{match['stem']}{match['suffix']}" if match else name
