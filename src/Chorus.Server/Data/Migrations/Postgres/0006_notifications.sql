-- Notifications: one row per (recipient, what happened). Ids are time-ordered, so (recipient_id, id) pages newest first.
CREATE TABLE notifications (
    id           BIGINT PRIMARY KEY,
    recipient_id BIGINT NOT NULL REFERENCES people(id),
    kind         TEXT   NOT NULL,
    actor_id     BIGINT NOT NULL REFERENCES people(id),
    post_id      BIGINT REFERENCES posts(id),
    root_id      BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_id, id);
-- The unread badge and "mark all read" touch only unread rows.
CREATE INDEX ix_notifications_unread ON notifications (recipient_id, id) WHERE read_at IS NULL;

-- Kinds a person switched off; a missing row means on.
CREATE TABLE notification_preferences (
    person_id BIGINT  NOT NULL REFERENCES people(id),
    kind      TEXT    NOT NULL,
    enabled   BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE thread_mutes (
    person_id  BIGINT NOT NULL REFERENCES people(id),
    root_id    BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, root_id)
);
