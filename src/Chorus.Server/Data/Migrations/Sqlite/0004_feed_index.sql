-- Home feed and profile pages select thread roots the viewer may see (PostVisibility: not deleted, not in a group),
-- newest first per author. ix_posts_author (0002) only knows reply_to_id, so every candidate row cost a table lookup
-- to test deleted_at and group_id; this index carries the whole predicate, so the per-author range scans read the
-- index alone. Measured in docs/benchmarks.md (feed-strategy, "before"/"after").
CREATE INDEX ix_posts_feed ON posts (author_id, id) WHERE reply_to_id IS NULL AND deleted_at IS NULL AND group_id IS NULL;
