-- Phone matching over numbers stored in any shape (E.164, WhatsApp ids, JIDs, "whatsapp:+…",
-- punctuation). public.userbuckets_phone_key reduces a stored value to digits the same way the
-- service reduces each member of a number's variant set, and expression indexes make the lookups
-- index scans. Rows written by others need no backfill.
CREATE OR REPLACE FUNCTION public.userbuckets_phone_key(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT nullif(
        regexp_replace(
            regexp_replace(
                split_part(split_part(
                    regexp_replace(lower(btrim(raw)), '^(whatsapp|tel|wa):', ''),
                '@', 1), ':', 1),
            '[^0-9]', '', 'g'),
        '^00', ''),
    '')
$$;

CREATE INDEX IF NOT EXISTS idx_whatsapp_user_mapping_phone_key
    ON public.whatsapp_user_mapping (public.userbuckets_phone_key(whatsapp_number));
CREATE INDEX IF NOT EXISTS idx_profiles_whatsapp_phone_key
    ON public.profiles (public.userbuckets_phone_key(whatsapp_number));
CREATE INDEX IF NOT EXISTS idx_profiles_phone_phone_key
    ON public.profiles (public.userbuckets_phone_key(phone_number));
CREATE INDEX IF NOT EXISTS idx_meeting_notes_contact_newest
    ON public.meeting_notes (contact_identifier, created_at DESC) WHERE user_id IS NOT NULL;

-- user_bucket_mapping is the source of truth for bucket names: one row per user and per name.
-- Supabase's table has both keys already; a copy made by hand might not, and duplicates would
-- block them, so name the rows instead of failing half-way.
DO $$
DECLARE
    offenders text;
BEGIN
    SELECT string_agg(format('user_id %s (%s rows)', user_id, n), ', ') INTO offenders
    FROM (SELECT user_id, count(*) AS n FROM public.user_bucket_mapping GROUP BY user_id HAVING count(*) > 1) d;
    IF offenders IS NOT NULL THEN
        RAISE EXCEPTION 'user_bucket_mapping has duplicate rows for %; remove them, then migrate again', offenders;
    END IF;
    SELECT string_agg(format('bucket_name %s (%s rows)', bucket_name, n), ', ') INTO offenders
    FROM (SELECT bucket_name, count(*) AS n FROM public.user_bucket_mapping GROUP BY bucket_name HAVING count(*) > 1) d;
    IF offenders IS NOT NULL THEN
        RAISE EXCEPTION 'user_bucket_mapping has duplicate rows for %; remove them, then migrate again', offenders;
    END IF;
END
$$;
CREATE UNIQUE INDEX IF NOT EXISTS userbuckets_user_bucket_mapping_user_key
    ON public.user_bucket_mapping (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS userbuckets_user_bucket_mapping_bucket_key
    ON public.user_bucket_mapping (bucket_name);
