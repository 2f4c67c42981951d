-- Coherence of the workers' identification caches (Sources/Shared/Identity/CachedUserDirectory):
-- every write to what identification reads NOTIFYs `userbuckets_identity` with what changed,
-- one key per notification (PostgreSQL folds repeats within a transaction):
--   k:<phone key>   a number's lookups (whatsapp_user_mapping.whatsapp_number, profiles'
--                   whatsapp_number and phone_number, old and new values)
--   u:<user id>     every answer naming that user (their mappings, profile, bucket)
--   n:<contact id>  the meeting-notes step (meeting_notes rows with a user)
-- Notifications are delivered at commit, to every listening session on every host.
-- (CREATE OR REPLACE TRIGGER: PostgreSQL 14 and later, as Supabase.)
CREATE OR REPLACE FUNCTION public.userbuckets_notify_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
    row_value jsonb;
    number text;
BEGIN
    FOREACH row_value IN ARRAY array_remove(ARRAY[old_row, new_row], NULL) LOOP
        IF TG_TABLE_NAME = 'meeting_notes' THEN
            IF row_value ->> 'user_id' IS NOT NULL AND coalesce(row_value ->> 'contact_identifier', '') <> '' THEN
                PERFORM pg_notify('userbuckets_identity', 'n:' || (row_value ->> 'contact_identifier'));
            END IF;
            CONTINUE;
        END IF;
        IF row_value ->> 'user_id' IS NOT NULL THEN
            PERFORM pg_notify('userbuckets_identity', 'u:' || (row_value ->> 'user_id'));
        END IF;
        FOREACH number IN ARRAY ARRAY[row_value ->> 'whatsapp_number', row_value ->> 'phone_number'] LOOP
            IF number IS NOT NULL AND public.userbuckets_phone_key(number) IS NOT NULL THEN
                PERFORM pg_notify('userbuckets_identity', 'k:' || public.userbuckets_phone_key(number));
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER userbuckets_identity AFTER INSERT OR DELETE OR UPDATE OF user_id, whatsapp_number
    ON public.whatsapp_user_mapping FOR EACH ROW EXECUTE FUNCTION public.userbuckets_notify_identity();

CREATE OR REPLACE TRIGGER userbuckets_identity AFTER INSERT OR DELETE OR UPDATE OF user_id, whatsapp_number, phone_number
    ON public.profiles FOR EACH ROW EXECUTE FUNCTION public.userbuckets_notify_identity();

CREATE OR REPLACE TRIGGER userbuckets_identity AFTER INSERT OR DELETE OR UPDATE OF user_id, bucket_name
    ON public.user_bucket_mapping FOR EACH ROW EXECUTE FUNCTION public.userbuckets_notify_identity();

-- Only rows with a user matter to the meeting-notes step (most webhook notes have one: the
-- WHEN clause keeps the others free).
CREATE OR REPLACE TRIGGER userbuckets_identity AFTER INSERT OR DELETE OR UPDATE OF user_id, contact_identifier
    ON public.meeting_notes FOR EACH ROW EXECUTE FUNCTION public.userbuckets_notify_identity();

-- A truncate says nothing row by row: everything goes.
CREATE OR REPLACE FUNCTION public.userbuckets_notify_identity_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('userbuckets_identity', '*');
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER userbuckets_identity_truncate AFTER TRUNCATE ON public.whatsapp_user_mapping
    FOR EACH STATEMENT EXECUTE FUNCTION public.userbuckets_notify_identity_all();
CREATE OR REPLACE TRIGGER userbuckets_identity_truncate AFTER TRUNCATE ON public.profiles
    FOR EACH STATEMENT EXECUTE FUNCTION public.userbuckets_notify_identity_all();
CREATE OR REPLACE TRIGGER userbuckets_identity_truncate AFTER TRUNCATE ON public.user_bucket_mapping
    FOR EACH STATEMENT EXECUTE FUNCTION public.userbuckets_notify_identity_all();
CREATE OR REPLACE TRIGGER userbuckets_identity_truncate AFTER TRUNCATE ON public.meeting_notes
    FOR EACH STATEMENT EXECUTE FUNCTION public.userbuckets_notify_identity_all();

REVOKE ALL ON FUNCTION public.userbuckets_notify_identity(), public.userbuckets_notify_identity_all() FROM PUBLIC, anon, authenticated;
