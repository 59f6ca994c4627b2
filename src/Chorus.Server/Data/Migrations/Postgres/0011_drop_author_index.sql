-- ix_posts_author (0002: author_id, id of thread roots, deleted ones included) serves no query any more: a person's
-- thread roots are read through ix_posts_feed (0004, 0007), which also leaves out deleted posts, and a person's
-- posts counted with their replies through ix_posts_author_all. Every new post still paid for it with one more
-- randomly placed index page to write, in SQLite under the one write lock (W1 in bench/findings.md).
DROP INDEX IF EXISTS ix_posts_author;
