"""Web face of the feeds: Atom feeds of a consultation, a key message and a topic."""
