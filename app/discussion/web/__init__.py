"""Web face of the discussion: key message and thread pages, writing, endorsing, live updates."""
