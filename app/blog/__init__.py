"""The public Leaders Blog: published posts, tags, author pages, feeds and the sitemap."""
