"""lapwise's report builder: reads result JSON (schema v2, v1 read too) only, writes Markdown, a static HTML
page and PNG/SVG plots. ``python -m reports --results DIR --out DIR``."""
