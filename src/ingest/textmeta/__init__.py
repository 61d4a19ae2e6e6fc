"""Parts of ``ingest.text_metadata``: the page's lines, dates, bylines and the title scorer."""
