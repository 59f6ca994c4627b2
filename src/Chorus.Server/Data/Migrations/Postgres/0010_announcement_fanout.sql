-- Announcements notify every member, however many: the first batch in the announcement's own transaction, the rest
-- by a background job in batches. notify_after is the last person id notified (NULL: nobody is left to notify);
-- the job moves it forward in the same transaction as the batch's notifications, so each person hears once.
ALTER TABLE announcements ADD COLUMN notify_after BIGINT;
CREATE INDEX ix_announcements_notifying ON announcements (post_id) WHERE notify_after IS NOT NULL;
