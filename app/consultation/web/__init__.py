"""Web face of the consultation domain: the home page, a consultation and its roundtables."""
