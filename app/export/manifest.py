"""A snapshot's manifest: what was exported, from which data, and the SHA-256 of each file,
so whoever receives the files can check them and say where every figure came from.

The manifest is JSON with sorted keys: the same manifest is always the same bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from app.consolidation.selection import Selection
from app.consultation.models import Consultation

#: Raised when a field changes meaning; additions keep it.
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ManifestFile:
    name: str
    media_type: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "media_type": self.media_type, "size": self.size, "sha256": self.sha256}


def application_version() -> str:
    try:
        return metadata.version("roundtable")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _instant(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def build_manifest(
    consultation: Consultation,
    selection: Selection,
    *,
    export_format: str,
    as_of: datetime,
    requested_at: datetime,
    counts: dict[str, int],
    files: list[ManifestFile],
) -> dict[str, Any]:
    """JSON-native; `as_of` is the data's own time (app.export.formats.data_as_of)."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "application": {"name": "roundtable", "version": application_version()},
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.title,
            "source_reference": consultation.source_reference,
        },
        "format": export_format,
        "selection": selection.as_dict(),
        "as_of": _instant(as_of),
        "requested_at": _instant(requested_at),
        "counts": dict(counts),
        "files": [file.as_dict() for file in files],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
