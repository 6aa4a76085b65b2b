-- Who registered the VEN a notification is about, taken when the notification is written: an
-- aggregator's subscription must still be told when one of its VENs is deleted.
ALTER TABLE notifications ADD COLUMN owner text;
