-- Contact buckets merge into the user's bucket once their number is linked (README "Contact
-- merges"; Sources/Shared/Merge).
--
-- userbuckets_contact_buckets: one row per contact bucket this product stores into, with the
-- phone key (userbuckets_phone_key, so both 9th-digit forms share it) of the number its
-- messages came from. A merge is a job of kind 'merge' (dedupe key merge:<contact id>) queued:
--   * by triggers here, when a whatsapp_user_mapping row or a profile's whatsapp_number /
--     phone_number gets a number with that key (writes by the web app included), or a mapping
--     row names the contact's Chatwoot ids;
--   * by the webhook's record statement, when a message of the contact arrives for a known user
--     (identification found them another way), or a message is stored in the contact bucket
--     while its number already has a user, or after the bucket was merged.
-- The job decides whom the bucket goes to (identification, SPEC §3, run when it runs): a number
-- matching several users is never merged.
CREATE TABLE IF NOT EXISTS public.userbuckets_contact_buckets (
    contact_id text PRIMARY KEY,
    bucket_name text NOT NULL,
    phone_key text,
    -- open: holds (or may hold) messages of a number no user has; merging: a merge has started
    -- copying into target_bucket; merged: emptied into merged_user's bucket; ambiguous: the
    -- number matches several users, left alone.
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merging', 'merged', 'ambiguous')),
    target_user uuid,
    target_bucket text,
    merged_user uuid,
    merged_at timestamptz,
    objects_moved bigint NOT NULL DEFAULT 0,
    -- Bumped by every request for a merge: a merge that ends finding it changed runs again.
    merge_requests bigint NOT NULL DEFAULT 0,
    -- Objects a merge found without their row yet (a message being stored): object name →
    -- when first seen. After a grace period they are moved as orphans.
    waiting jsonb NOT NULL DEFAULT '{}'::jsonb,
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS userbuckets_contact_buckets_phone_key
    ON public.userbuckets_contact_buckets (phone_key) WHERE phone_key IS NOT NULL;
-- The gate rows of messages stored in contact buckets (the ones a merge moves).
CREATE INDEX IF NOT EXISTS userbuckets_chatwoot_messages_contact_bucket
    ON public.userbuckets_chatwoot_messages (bucket_name) WHERE user_id IS NULL;

REVOKE ALL ON public.userbuckets_contact_buckets FROM PUBLIC, anon, authenticated;
ALTER TABLE public.userbuckets_contact_buckets ENABLE ROW LEVEL SECURITY;

-- Contact buckets that held messages before this migration (their numbers are unknown until
-- the contact writes again; a link by Chatwoot ids or a message for a known user still merges).
INSERT INTO public.userbuckets_contact_buckets (contact_id, bucket_name)
SELECT DISTINCT ON (n.contact_identifier) n.contact_identifier, g.bucket_name
FROM public.userbuckets_chatwoot_messages g JOIN public.meeting_notes n ON n.id = g.meeting_note_id
WHERE g.user_id IS NULL AND coalesce(n.contact_identifier, '') <> ''
ORDER BY n.contact_identifier, g.created_at DESC
ON CONFLICT (contact_id) DO NOTHING;

-- Queues (or runs again) the merge of one contact bucket; nothing when there is no such row.
CREATE OR REPLACE FUNCTION public.userbuckets_queue_contact_merge(p_contact text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.userbuckets_contact_buckets SET merge_requests = merge_requests + 1, updated_at = now()
    WHERE contact_id = p_contact;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO public.userbuckets_jobs (kind, payload, dedupe_key)
    VALUES ('merge', jsonb_build_object('contact_id', p_contact), 'merge:' || p_contact)
    ON CONFLICT (dedupe_key) DO UPDATE SET status = 'queued', attempts = 0, run_at = now(), last_error = NULL,
        leased_until = NULL, updated_at = now()
    WHERE public.userbuckets_jobs.status IN ('done', 'failed', 'skipped');
END
$$;

-- Whether anything identification reads links this number key or contact id to a user.
CREATE OR REPLACE FUNCTION public.userbuckets_contact_linked(p_contact text, p_key text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (p_key IS NOT NULL AND (
            EXISTS (SELECT 1 FROM public.whatsapp_user_mapping WHERE public.userbuckets_phone_key(whatsapp_number) = p_key)
            OR EXISTS (SELECT 1 FROM public.profiles WHERE public.userbuckets_phone_key(whatsapp_number) = p_key)
            OR EXISTS (SELECT 1 FROM public.profiles WHERE public.userbuckets_phone_key(phone_number) = p_key)))
        OR EXISTS (SELECT 1 FROM public.meeting_notes WHERE contact_identifier = p_contact AND user_id IS NOT NULL)
        OR EXISTS (
            SELECT 1 FROM public.whatsapp_user_mapping
            WHERE p_contact ~ '^contact_[0-9]+_account_[0-9]+$'
              AND chatwoot_contact_id = split_part(p_contact, '_', 2) AND chatwoot_account_id = split_part(p_contact, '_', 4))
$$;

-- A message (or a bucket) of a contact without a user: records the contact bucket and its
-- number's key, and queues a merge when the number has a user after all (a link that raced
-- this message) or the bucket was merged before (a message that came after).
CREATE OR REPLACE FUNCTION public.userbuckets_contact_seen(p_contact text, p_bucket text, p_key text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    known public.userbuckets_contact_buckets%ROWTYPE;
BEGIN
    IF coalesce(p_contact, '') = '' OR p_bucket IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO known FROM public.userbuckets_contact_buckets WHERE contact_id = p_contact;
    IF NOT FOUND THEN
        INSERT INTO public.userbuckets_contact_buckets (contact_id, bucket_name, phone_key)
        VALUES (p_contact, p_bucket, p_key) ON CONFLICT (contact_id) DO NOTHING;
    ELSIF known.phone_key IS DISTINCT FROM coalesce(p_key, known.phone_key) OR known.bucket_name <> p_bucket
        OR known.state = 'merged' THEN
        UPDATE public.userbuckets_contact_buckets SET phone_key = coalesce(p_key, phone_key), bucket_name = p_bucket,
            state = CASE WHEN state = 'merged' THEN 'open' ELSE state END, updated_at = now()
        WHERE contact_id = p_contact;
    END IF;
    IF known.state = 'merged' OR public.userbuckets_contact_linked(p_contact, coalesce(p_key, known.phone_key)) THEN
        PERFORM public.userbuckets_queue_contact_merge(p_contact);
    END IF;
END
$$;

-- Called by the webhook's record statement for every message it stores: a message without a
-- user is a contact's (above); one with a user merges a contact bucket the contact still has.
CREATE OR REPLACE FUNCTION public.userbuckets_contact_message(p_contact text, p_bucket text, p_user uuid, p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_user IS NULL THEN
        PERFORM public.userbuckets_contact_seen(p_contact, p_bucket, p_key);
    ELSIF EXISTS (SELECT 1 FROM public.userbuckets_contact_buckets WHERE contact_id = p_contact AND state = 'open') THEN
        PERFORM public.userbuckets_queue_contact_merge(p_contact);
    END IF;
END
$$;

-- A number (or Chatwoot ids) got a user: queue the merge of every contact bucket they own.
CREATE OR REPLACE FUNCTION public.userbuckets_queue_merges_for_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_row jsonb := to_jsonb(NEW);
    keys text[] := ARRAY[]::text[];
    contact text;
BEGIN
    IF new_row ->> 'user_id' IS NULL THEN
        RETURN NULL;
    END IF;
    keys := array_remove(ARRAY[public.userbuckets_phone_key(new_row ->> 'whatsapp_number'),
        public.userbuckets_phone_key(new_row ->> 'phone_number')], NULL);
    FOR contact IN
        SELECT c.contact_id FROM public.userbuckets_contact_buckets c
        WHERE c.state <> 'merged' AND (
            c.phone_key = ANY(keys)
            OR (TG_TABLE_NAME = 'whatsapp_user_mapping' AND new_row ->> 'chatwoot_contact_id' IS NOT NULL
                AND c.contact_id = 'contact_' || (new_row ->> 'chatwoot_contact_id') || '_account_' || (new_row ->> 'chatwoot_account_id')))
    LOOP
        PERFORM public.userbuckets_queue_contact_merge(contact);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER userbuckets_contact_merges AFTER INSERT OR UPDATE OF user_id, whatsapp_number, chatwoot_contact_id, chatwoot_account_id
    ON public.whatsapp_user_mapping FOR EACH ROW EXECUTE FUNCTION public.userbuckets_queue_merges_for_row();
CREATE OR REPLACE TRIGGER userbuckets_contact_merges AFTER INSERT OR UPDATE OF user_id, whatsapp_number, phone_number
    ON public.profiles FOR EACH ROW EXECUTE FUNCTION public.userbuckets_queue_merges_for_row();

-- One step of a merge, in one transaction: the rows of the objects just copied (and verified)
-- into p_to move with them. p_objects: [{"path", "sha256", "size"}]. For each object it answers
-- whether the contact bucket's copy may now be deleted (settled): its rows point at the user's
-- copy, or it had no row after a grace period (an orphan: a delivery that failed after its
-- write; Chatwoot's retry stored it again elsewhere or will find the gate). An object without
-- its row yet (a message being stored right now) waits.
--   * userbuckets_chatwoot_messages: the gate follows (a redelivery answers with the user's
--     bucket and writes nothing);
--   * meeting_notes: user_id and gcs_storage_path;
--   * audio_files: user_id and file_path; each becomes a knowledge_files row of the user, as
--     the audio worker writes for a known user;
--   * knowledge_files pointing at the contact's copy: gcs_bucket and gcs_path;
--   * audio jobs not yet running for the contact bucket: they store into the user's bucket.
CREATE OR REPLACE FUNCTION public.userbuckets_merge_rows(
    p_contact text, p_from text, p_user uuid, p_to text, p_scheme text, p_objects jsonb, p_grace_seconds int)
RETURNS TABLE (path text, settled boolean)
LANGUAGE plpgsql AS $$
DECLARE
    from_uri text := p_scheme || '://' || p_from || '/';
    to_uri text := p_scheme || '://' || p_to || '/';
    waiting_before jsonb;
    verdicts jsonb;
BEGIN
    SELECT c.waiting INTO waiting_before FROM public.userbuckets_contact_buckets c WHERE c.contact_id = p_contact FOR UPDATE;
    waiting_before := coalesce(waiting_before, '{}'::jsonb);

    WITH o AS (SELECT * FROM jsonb_to_recordset(p_objects) AS x(path text, sha256 text, size bigint)),
    moved AS (
        UPDATE public.userbuckets_chatwoot_messages g SET bucket_name = p_to, user_id = p_user
        FROM o WHERE g.bucket_name = p_from AND g.user_id IS NULL AND g.object_path = o.path
        RETURNING g.meeting_note_id, g.object_path
    )
    UPDATE public.meeting_notes n SET user_id = p_user, gcs_storage_path = to_uri || moved.object_path
    FROM moved WHERE n.id = moved.meeting_note_id;
    UPDATE public.meeting_notes n SET user_id = coalesce(n.user_id, p_user), gcs_storage_path = to_uri || o.path
    FROM jsonb_to_recordset(p_objects) AS o(path text) WHERE n.gcs_storage_path = from_uri || o.path;

    WITH moved AS (
        UPDATE public.audio_files a SET user_id = p_user, file_path = to_uri || o.path
        FROM jsonb_to_recordset(p_objects) AS o(path text, sha256 text, size bigint)
        WHERE a.file_path = from_uri || o.path
        RETURNING a.*, o.path AS object_path, o.sha256 AS object_sha256, o.size AS object_size
    )
    INSERT INTO public.knowledge_files (user_id, name, type, size, gcs_bucket, gcs_path, storage_path, file_hash,
        content_extracted, extracted_content, extraction_metadata, metadata, transcription, transcription_status,
        transcription_error, transcribed_at)
    SELECT p_user,
        'WhatsApp Audio - ' || split_part(m.object_path, '/', 2) || ' - ' || coalesce(m.contact_identifier, p_contact) || '.'
            || regexp_replace(m.object_path, '^.*[.]', ''),
        'audio', m.object_size, p_to, m.file_path, m.object_path, m.object_sha256, m.transcription IS NOT NULL, m.transcription,
        jsonb_build_object('source', 'whatsapp_audio', 'contact_id', coalesce(m.contact_identifier, p_contact),
            'chatwoot_attachment_id', m.chatwoot_attachment_id, 'transcription_status', m.transcription_status,
            'openai_model', m.openai_model, 'merged_from_contact_bucket', true),
        jsonb_build_object('original_name', 'audio.' || regexp_replace(m.object_path, '^.*[.]', ''), 'source', 'whatsapp',
            'contact_identifier', coalesce(m.contact_identifier, p_contact), 'chatwoot_attachment_id', m.chatwoot_attachment_id,
            'file_type', 'audio', 'duration_seconds', NULL),
        m.transcription, CASE WHEN m.transcription IS NULL THEN 'failed' ELSE 'completed' END, m.transcription_error,
        CASE WHEN m.transcription IS NULL THEN NULL ELSE coalesce(m.processed_at, now()) END
    FROM moved m
    WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_files k WHERE k.user_id = p_user AND k.gcs_path = m.file_path);

    UPDATE public.knowledge_files k SET gcs_bucket = p_to, gcs_path = to_uri || o.path, updated_at = now()
    FROM jsonb_to_recordset(p_objects) AS o(path text) WHERE k.gcs_path = from_uri || o.path;

    UPDATE public.userbuckets_jobs SET payload = payload || jsonb_build_object('bucket', p_to, 'user_id', p_user), updated_at = now()
    WHERE kind = 'audio' AND status IN ('queued', 'failed') AND payload ->> 'bucket' = p_from;

    -- What may go: its rows moved (now or in an earlier attempt), or it waited out the grace.
    SELECT coalesce(jsonb_object_agg(o.path,
        CASE WHEN o.path LIKE 'whatsapp-messages/%' THEN
                EXISTS (SELECT 1 FROM public.userbuckets_chatwoot_messages g WHERE g.bucket_name = p_to AND g.object_path = o.path)
                OR (NOT EXISTS (SELECT 1 FROM public.userbuckets_chatwoot_messages g WHERE g.bucket_name = p_from AND g.object_path = o.path)
                    AND waiting_before ? o.path
                    AND (waiting_before ->> o.path)::timestamptz < now() - make_interval(secs => p_grace_seconds))
            ELSE
                EXISTS (SELECT 1 FROM public.audio_files a WHERE a.file_path = to_uri || o.path)
                OR (waiting_before ? o.path AND (waiting_before ->> o.path)::timestamptz < now() - make_interval(secs => p_grace_seconds))
        END), '{}'::jsonb) INTO verdicts
    FROM jsonb_to_recordset(p_objects) AS o(path text);

    -- The waiting list: this step's unsettled objects (keeping when each was first seen), and
    -- the earlier ones this step did not look at.
    UPDATE public.userbuckets_contact_buckets c SET
        waiting = (SELECT coalesce(jsonb_object_agg(w.key, w.value), '{}'::jsonb) FROM jsonb_each(waiting_before) w
                   WHERE NOT verdicts ? w.key)
            || (SELECT coalesce(jsonb_object_agg(v.key, to_jsonb(coalesce(waiting_before ->> v.key, now()::text))), '{}'::jsonb)
                FROM jsonb_each(verdicts) v WHERE NOT v.value::text::boolean),
        updated_at = now()
    WHERE c.contact_id = p_contact;

    RETURN QUERY SELECT v.key, v.value::text::boolean FROM jsonb_each(verdicts) v;
END
$$;

REVOKE ALL ON FUNCTION public.userbuckets_queue_contact_merge(text), public.userbuckets_contact_linked(text, text),
    public.userbuckets_contact_seen(text, text, text), public.userbuckets_contact_message(text, text, uuid, text),
    public.userbuckets_queue_merges_for_row(),
    public.userbuckets_merge_rows(text, text, uuid, text, text, jsonb, int) FROM PUBLIC, anon, authenticated;
