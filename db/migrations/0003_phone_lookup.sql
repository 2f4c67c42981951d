-- Phone matching over numbers stored in any shape (E.164, WhatsApp ids, JIDs, "whatsapp:+…",
-- national forms, punctuation). public.userbuckets_phone_key reduces a stored value to one
-- matching key, exactly as PhoneNumber.lookupKey does for a normalized number:
--   * a leading "+" or "00" means the country code follows; bare digits are read as Brazilian
--     national numbers (with or without the trunk 0) when they have that shape, as the service
--     reads them (default region BR);
--   * a Brazilian mobile's key drops the 9th digit, so 55 DD 9XXXX-XXXX and the legacy
--     55 DD XXXX-XXXX of old WhatsApp ids have the same key.
-- Expression indexes make each lookup one index probe; rows written by others need no backfill.
CREATE OR REPLACE FUNCTION public.userbuckets_phone_dial_string(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT regexp_replace(
        regexp_replace(
            split_part(split_part(regexp_replace(lower(btrim(raw)), '^(whatsapp|tel|wa):', ''), '@', 1), ':', 1),
            '[^0-9+]|(?!^)[+]', '', 'g'),
        '^00', '+')
$$;

CREATE OR REPLACE FUNCTION public.userbuckets_phone_key(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT nullif(CASE
        WHEN d ~ '^[+]?55[1-9][0-9]9[0-9]{8}$' THEN '55' || substr(ltrim(d, '+'), 3, 2) || right(d, 8)
        WHEN d ~ '^[+]' THEN substr(d, 2)
        WHEN d ~ '^0?[1-9][0-9]9[0-9]{8}$' THEN '55' || substr(ltrim(d, '0'), 1, 2) || right(d, 8)
        WHEN d ~ '^0?[1-9][0-9][2-9][0-9]{7}$' THEN '55' || ltrim(d, '0')
        ELSE d
    END, '')
    FROM (SELECT public.userbuckets_phone_dial_string(raw) AS d) AS dial
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
