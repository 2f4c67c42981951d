-- The webhook's gate row names the meeting_notes row its message created, but no longer as a
-- foreign key. The key bought nothing the gate needs (a note deleted later leaves the gate in
-- place either way, so a redelivery is still a duplicate), and it cost every stored message a
-- lookup in meeting_notes inside the storing transaction: worse, each connection plans that
-- lookup once, so a connection opened while meeting_notes was small kept scanning the whole
-- table for every message as it grew (found by bench/webhook.sh: a fresh install slowed to a
-- few hundred messages/s). meeting_note_id may name a note that has since been deleted.
ALTER TABLE public.userbuckets_chatwoot_messages
    DROP CONSTRAINT IF EXISTS userbuckets_chatwoot_messages_meeting_note_id_fkey;
