"""Per-page analysis columns: language, duplicates, quality signals, site boilerplate."""
