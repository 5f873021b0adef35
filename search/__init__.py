"""Full-text search over the archive (Whoosh). Nothing outside this package touches the index."""
