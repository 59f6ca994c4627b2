-- ASP.NET Core data-protection keys (they sign anti-forgery tokens) live in the database, so every node shares them.
CREATE TABLE data_protection_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    friendly_name TEXT,
    xml           TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
