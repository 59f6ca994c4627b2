-- People, their avatars, sign-in credentials (sessions and access tokens) and first-admin setup links.
CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    handle          TEXT    NOT NULL,
    handle_key      TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    email_key       TEXT    NOT NULL,
    job_title       TEXT,
    department      TEXT,
    location        TEXT,
    manager_id      INTEGER REFERENCES people(id),
    bio             TEXT,
    role            INTEGER NOT NULL DEFAULT 0,
    deactivated_at  TEXT,
    password_hash   TEXT,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT    NOT NULL,
    search_text     TEXT    NOT NULL,
    avatar_version  INTEGER
);
CREATE UNIQUE INDEX ux_people_handle_key ON people (handle_key);
CREATE UNIQUE INDEX ux_people_email_key ON people (email_key);
CREATE INDEX ix_people_manager ON people (manager_id);
CREATE INDEX ix_people_department ON people (department);

CREATE TABLE avatars (
    person_id    INTEGER PRIMARY KEY REFERENCES people(id),
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    updated_at   TEXT    NOT NULL
);

CREATE TABLE credentials (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    kind         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX ux_credentials_secret ON credentials (secret_hash);
CREATE INDEX ix_credentials_person ON credentials (person_id, kind);

CREATE TABLE setup_tokens (
    secret_hash TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
