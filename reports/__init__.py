"""lapwise's report builder: reads result JSON (schema v1) only, writes Markdown, a static HTML
page and PNG/SVG plots. ``python -m reports --results DIR --out DIR``."""
