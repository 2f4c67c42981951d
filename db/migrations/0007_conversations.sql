-- chatwoot-webhook's `conversations` upsert (ORIGINAL.md §6.2), for a message whose user is
-- known, with exactly-one-row semantics even when deliveries race: the conversation and the
-- user are locked (transaction advisory locks) for the few statements, so concurrent messages
-- make one row. Deployments whose `chatwoot_conversation_id` has no UNIQUE constraint (it has
-- one only where 20250803170001 added the column) get the same guarantee.
--   * a row for the conversation: the same user's is touched (updated_at); another user's is
--     left alone ('other_user'); several rows (made before this function) are left alone;
--   * else the user's only row, when it has no conversation yet, takes this one (the original
--     took the user's only row whatever conversation it had: here another conversation's row
--     is never taken over);
--   * else a new row.
CREATE OR REPLACE FUNCTION public.userbuckets_touch_conversation(p_user uuid, p_conversation bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    rows_found int;
    owner uuid;
BEGIN
    IF p_user IS NULL OR p_conversation IS NULL OR p_conversation < 1 OR p_conversation > 2147483647 THEN
        RETURN 'skipped';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('userbuckets:conversation:' || p_conversation, 0));
    PERFORM pg_advisory_xact_lock(hashtextextended('userbuckets:conversation-user:' || p_user, 0));
    SELECT count(*), min(user_id::text)::uuid INTO rows_found, owner
    FROM public.conversations WHERE chatwoot_conversation_id = p_conversation;
    IF rows_found = 1 THEN
        IF owner <> p_user THEN
            RETURN 'other_user';
        END IF;
        UPDATE public.conversations SET updated_at = now() WHERE chatwoot_conversation_id = p_conversation;
        RETURN 'touched';
    ELSIF rows_found > 1 THEN
        RETURN 'ambiguous';
    END IF;
    SELECT count(*) INTO rows_found FROM public.conversations WHERE user_id = p_user;
    IF rows_found = 1 THEN
        UPDATE public.conversations SET chatwoot_conversation_id = p_conversation, updated_at = now()
        WHERE user_id = p_user AND chatwoot_conversation_id IS NULL;
        IF FOUND THEN
            RETURN 'claimed';
        END IF;
    END IF;
    INSERT INTO public.conversations (user_id, chatwoot_conversation_id, context_json, created_at, updated_at)
    VALUES (p_user, p_conversation, '{}'::jsonb, now(), now());
    RETURN 'inserted';
END
$$;

REVOKE ALL ON FUNCTION public.userbuckets_touch_conversation(uuid, bigint) FROM PUBLIC, anon, authenticated;
