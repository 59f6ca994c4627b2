-- Communities: groups, memberships (with invitations and join requests), and what a post's audience is.
-- kind: 0 public, 1 private, 2 secret, 3 the all-company group (one row, id 1; its posts have group_id NULL).
CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    description TEXT    NOT NULL,
    kind        INTEGER NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX ux_groups_name_key ON groups (name_key) WHERE deleted_at IS NULL;
INSERT INTO groups (id, name, name_key, description, kind, created_by, created_at)
VALUES (1, 'All Company', 'all company', 'Everyone in the organization.', 3, 0, '2026-01-01 00:00:00');

-- state: 0 member, 1 invited (waiting for the person), 2 requested (waiting for a group admin).
-- role: 0 member, 1 admin, 2 owner. Leaving or being removed deletes the row.
CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES groups(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    state        INTEGER NOT NULL,
    role         INTEGER NOT NULL,
    show_in_home INTEGER NOT NULL,
    invited_by   INTEGER,
    created_at   TEXT    NOT NULL,
    joined_at    TEXT,
    PRIMARY KEY (group_id, person_id)
) WITHOUT ROWID;
CREATE INDEX ix_group_members_person ON group_members (person_id, group_id);

-- members_only: 1 when only the group's members may read the post (private and secret groups), copied from the
-- group on write and rewritten when a group changes kind, so the visibility rule needs no join.
ALTER TABLE posts ADD COLUMN members_only INTEGER NOT NULL DEFAULT 0;
-- What kind of post: post, announcement, question, poll, praise, event, article.
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post';

-- Group feeds: thread roots of one group, newest first.
CREATE INDEX ix_posts_group ON posts (group_id, id) WHERE reply_to_id IS NULL AND deleted_at IS NULL AND group_id IS NOT NULL;
-- The per-author feed index now carries the audience columns, so group posts by people you follow can be judged
-- by the visibility rule from the index alone.
DROP INDEX ix_posts_feed;
CREATE INDEX ix_posts_feed ON posts (author_id, id, members_only, group_id) WHERE reply_to_id IS NULL AND deleted_at IS NULL;
