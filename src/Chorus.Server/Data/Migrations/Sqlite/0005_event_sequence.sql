-- Stream positions. An event gets its sequence number after it commits, from one sequencer at a time
-- (EventSequencer), so sequence order is commit order and a reader that has seen N never misses anything below N.
ALTER TABLE events ADD COLUMN seq INTEGER;
CREATE UNIQUE INDEX ux_events_seq ON events (seq);
CREATE INDEX ix_events_unsequenced ON events (id) WHERE seq IS NULL;
CREATE INDEX ix_events_created ON events (created_at);
-- Who an event is for, when it is for one person only (notifications, revocations).
ALTER TABLE events ADD COLUMN person_id INTEGER;
