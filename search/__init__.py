"""Full-text search over the archive (Whoosh). Nothing outside this package touches the index.

Public API:
    search.hooks.document_changed(archive, document_id)   the pipeline's notification
    search.service.search_documents(session, actor, engine, q, SearchFilters(...), limit=, offset=)
    search.writer.open_engine(settings)                    the engine (read side) for an archive
    search.writer.IndexWriter(archive).rebuild() / .check() / .sync() / .notify(ids)
"""
