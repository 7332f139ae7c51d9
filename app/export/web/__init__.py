"""Web face of the export: negotiators download the consolidated input."""
