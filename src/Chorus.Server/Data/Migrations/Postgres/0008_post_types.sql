-- Post types: announcements, questions, polls, praise and events. Each is a post (posts.kind) plus its own rows,
-- written in the same transaction as the post.

-- group_id mirrors the post's (NULL = all-company) so a feed finds its pinned announcements without touching posts.
CREATE TABLE announcements (
    post_id   BIGINT PRIMARY KEY REFERENCES posts(id),
    group_id  BIGINT,
    pinned_at TIMESTAMPTZ,
    pinned_by BIGINT
);
CREATE INDEX ix_announcements_pinned ON announcements (group_id, post_id) WHERE pinned_at IS NOT NULL;

CREATE TABLE announcement_views (
    post_id   BIGINT  NOT NULL REFERENCES posts(id),
    person_id BIGINT  NOT NULL REFERENCES people(id),
    seen_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, person_id)
);

-- first_reply_at: the first reply by someone other than the asker; answered_at: when the best answer was marked.
CREATE TABLE questions (
    post_id        BIGINT PRIMARY KEY REFERENCES posts(id),
    asker_id       BIGINT  NOT NULL,
    best_answer_id BIGINT,
    first_reply_at TIMESTAMPTZ,
    answered_at    TIMESTAMPTZ
);
CREATE INDEX ix_questions_state ON questions (best_answer_id, post_id);

CREATE TABLE polls (
    post_id   BIGINT PRIMARY KEY REFERENCES posts(id),
    multiple  BOOLEAN NOT NULL,
    closes_at TIMESTAMPTZ
);
CREATE TABLE poll_options (
    post_id  BIGINT  NOT NULL REFERENCES posts(id),
    position INTEGER NOT NULL,
    text     TEXT    NOT NULL,
    PRIMARY KEY (post_id, position)
);
-- One row per chosen option; a person's vote is all their rows for the poll.
CREATE TABLE poll_votes (
    post_id   BIGINT  NOT NULL REFERENCES posts(id),
    person_id BIGINT  NOT NULL REFERENCES people(id),
    position  INTEGER NOT NULL,
    voted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, person_id, position)
);

CREATE TABLE praise (
    post_id BIGINT PRIMARY KEY REFERENCES posts(id),
    badge   TEXT NOT NULL
);
CREATE TABLE praise_recipients (
    post_id   BIGINT  NOT NULL REFERENCES posts(id),
    person_id BIGINT  NOT NULL REFERENCES people(id),
    PRIMARY KEY (post_id, person_id)
);
CREATE INDEX ix_praise_recipients_person ON praise_recipients (person_id, post_id);

-- starts_local/ends_local are the wall-clock times as entered (ISO 8601 without offset) in time_zone (IANA);
-- starts_at/ends_at are the same instants in UTC, for ordering and reminders.
CREATE TABLE calendar_events (
    post_id          BIGINT PRIMARY KEY REFERENCES posts(id),
    title            TEXT NOT NULL,
    starts_local     TEXT NOT NULL,
    ends_local       TEXT NOT NULL,
    time_zone        TEXT NOT NULL,
    starts_at        TIMESTAMPTZ NOT NULL,
    ends_at          TIMESTAMPTZ NOT NULL,
    place            TEXT,
    online_url       TEXT,
    description      TEXT NOT NULL,
    reminder_sent_at TIMESTAMPTZ
);
CREATE INDEX ix_calendar_events_reminder ON calendar_events (starts_at) WHERE reminder_sent_at IS NULL;
-- answer: 0 yes, 1 maybe, 2 no.
CREATE TABLE event_rsvps (
    post_id     BIGINT  NOT NULL REFERENCES posts(id),
    person_id   BIGINT  NOT NULL REFERENCES people(id),
    answer      INTEGER NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, person_id)
);
