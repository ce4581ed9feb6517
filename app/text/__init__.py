"""Text helpers: Markdown rendering and sanitising, diffs; no Flask imports."""
