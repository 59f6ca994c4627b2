-- Group pages and files: wiki pages with revisions, FAQ entries, articles (a kind of post) and uploaded files.

-- A wiki page. revision is the number of the current revision; a save names the revision it was based on and
-- succeeds only if that is still the current one (optimistic concurrency), so no edit is silently overwritten.
CREATE TABLE group_pages (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups(id),
    slug        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT    NOT NULL,
    updated_by  INTEGER NOT NULL REFERENCES people(id),
    updated_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_group_pages_slug ON group_pages (group_id, slug);

-- Every saved version of a page, numbered from 1. restored_from names the revision a restore copied.
CREATE TABLE page_revisions (
    page_id       INTEGER NOT NULL REFERENCES group_pages(id),
    number        INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES people(id),
    created_at    TEXT    NOT NULL,
    restored_from INTEGER,
    PRIMARY KEY (page_id, number)
) WITHOUT ROWID;

-- FAQ entries of a group, shown in position order.
CREATE TABLE faq_entries (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups(id),
    position    INTEGER NOT NULL,
    question    TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    answer_html TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT
);
CREATE INDEX ix_faq_entries_group ON faq_entries (group_id, position);

-- Uploaded files. The bytes live under {DataDirectory}/files/ by storage_key (random, never derived from the name).
CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL REFERENCES groups(id),
    uploader_id  INTEGER NOT NULL REFERENCES people(id),
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER,
    height       INTEGER,
    storage_key  TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX ix_files_group ON files (group_id, id);

-- An article: the long-form part of a post of kind 'article'.
CREATE TABLE articles (
    post_id       INTEGER PRIMARY KEY REFERENCES posts(id),
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    html          TEXT    NOT NULL,
    excerpt       TEXT    NOT NULL,
    cover_file_id INTEGER REFERENCES files(id)
);

-- Which posts and pages use a file: exactly one of post_id and page_id is set.
CREATE TABLE file_uses (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES files(id),
    post_id    INTEGER REFERENCES posts(id),
    page_id    INTEGER REFERENCES group_pages(id),
    created_at TEXT    NOT NULL,
    CHECK ((post_id IS NULL) <> (page_id IS NULL))
);
CREATE UNIQUE INDEX ux_file_uses_post ON file_uses (file_id, post_id) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX ux_file_uses_page ON file_uses (file_id, page_id) WHERE page_id IS NOT NULL;
CREATE INDEX ix_file_uses_post ON file_uses (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX ix_file_uses_page ON file_uses (page_id) WHERE page_id IS NOT NULL;
