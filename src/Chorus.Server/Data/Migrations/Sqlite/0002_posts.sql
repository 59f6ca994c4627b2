-- Posts with threads, shares and edit history; topics, mentions, reactions, follows; the change-event log.
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL REFERENCES people(id),
    text        TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    reply_to_id INTEGER REFERENCES posts(id),
    root_id     INTEGER NOT NULL,
    share_of_id INTEGER REFERENCES posts(id),
    group_id    INTEGER,
    created_at  TEXT    NOT NULL,
    edited_at   TEXT,
    deleted_at  TEXT
);
-- Feed posts (thread roots) per author, newest first: profile pages and the home-feed merge.
CREATE INDEX ix_posts_author ON posts (author_id, id) WHERE reply_to_id IS NULL;
CREATE INDEX ix_posts_author_all ON posts (author_id, id);
CREATE INDEX ix_posts_root ON posts (root_id, id);
CREATE INDEX ix_posts_reply_to ON posts (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX ix_posts_share_of ON posts (share_of_id) WHERE share_of_id IS NOT NULL;

CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id),
    text       TEXT    NOT NULL,
    html       TEXT    NOT NULL,
    written_at TEXT    NOT NULL
);
CREATE INDEX ix_post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    kind       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (post_id, person_id, kind)
) WITHOUT ROWID;

CREATE TABLE topics (
    id         INTEGER PRIMARY KEY,
    tag        TEXT NOT NULL,
    tag_key    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_topics_tag_key ON topics (tag_key);

CREATE TABLE post_topics (
    topic_id INTEGER NOT NULL REFERENCES topics(id),
    post_id  INTEGER NOT NULL REFERENCES posts(id),
    PRIMARY KEY (topic_id, post_id)
) WITHOUT ROWID;
CREATE INDEX ix_post_topics_post ON post_topics (post_id);

CREATE TABLE post_mentions (
    post_id   INTEGER NOT NULL REFERENCES posts(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (post_id, person_id)
) WITHOUT ROWID;
CREATE INDEX ix_post_mentions_person ON post_mentions (person_id, post_id);

CREATE TABLE follows (
    follower_id INTEGER NOT NULL REFERENCES people(id),
    followee_id INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
) WITHOUT ROWID;
CREATE INDEX ix_follows_followee ON follows (followee_id, follower_id);

CREATE TABLE topic_follows (
    person_id  INTEGER NOT NULL REFERENCES people(id),
    topic_id   INTEGER NOT NULL REFERENCES topics(id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (person_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX ix_topic_follows_topic ON topic_follows (topic_id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    actor_id   INTEGER NOT NULL,
    post_id    INTEGER,
    data       TEXT,
    created_at TEXT    NOT NULL
);
