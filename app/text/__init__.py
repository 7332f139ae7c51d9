"""Text helpers with no domain: footnotes, Markdown to sanitised HTML, highlighting, cleaning."""
