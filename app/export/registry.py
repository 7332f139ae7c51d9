"""The export formats the site, its background jobs and `roundtable export` offer, by name:
the one table to extend. Each format streams its file (app.export.formats): JSON and CSV from
a server-side cursor (app.export.streaming), the drafting documents from one content
(app.export.documents), whose libraries load on their first export."""

from __future__ import annotations

from app.export.csv_export import CSV_FORMAT
from app.export.documents.formats import DOCUMENT_FORMATS
from app.export.formats import Format
from app.export.json_export import JSON_FORMAT

FORMATS: dict[str, Format] = {format.name: format for format in (JSON_FORMAT, CSV_FORMAT, *DOCUMENT_FORMATS)}
