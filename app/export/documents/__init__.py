"""The negotiators' drafting documents: one content, drawn as DOCX, PDF and XLSX."""
