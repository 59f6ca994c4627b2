-- One index by author instead of two. ix_posts_feed (0004, 0007: a person's thread roots, deleted ones left out) and
-- ix_posts_author_all (0002: all of a person's posts, for the counts on profiles) both begin with (author_id, id), so
-- every new post wrote two randomly placed index pages, in SQLite under the one write lock (W1 in
-- bench/findings.md). This one serves both: a feed's read of a person's thread roots skips replies and deleted posts
-- inside the index, and a count of a person's posts walks the same range.
DROP INDEX IF EXISTS ix_posts_feed;
DROP INDEX IF EXISTS ix_posts_author_all;
CREATE INDEX ix_posts_by_author ON posts (author_id, id, reply_to_id, deleted_at, members_only, group_id);
