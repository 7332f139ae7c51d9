"""The schema's web face: one public, cacheable address (kept apart from app/export/web, the downloads)."""
