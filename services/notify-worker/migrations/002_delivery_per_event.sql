-- A delivery is per event, not per (run, kind): a run held twice (by start-sync, then by the
-- worker's block threshold) is reported twice, since the admin needs to hear of each hold. A
-- redelivered event still finds its own rows and sends nothing again.
ALTER TABLE delivery DROP CONSTRAINT delivery_run_id_event_kind_channel_recipient_key;
ALTER TABLE delivery ADD CONSTRAINT delivery_event_channel_recipient_key UNIQUE (event_id, channel, recipient);
