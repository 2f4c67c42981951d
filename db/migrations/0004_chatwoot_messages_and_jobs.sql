-- chatwoot-webhook: one record per Chatwoot message (the idempotency gate), and the durable job
-- queue the audio worker drains. Our own tables: the original ones are not constrained further.

-- A message is stored once: the first delivery inserts here (in the transaction that writes the
-- meeting_notes row and the message's jobs); redeliveries find the row and stop.
CREATE TABLE IF NOT EXISTS public.userbuckets_chatwoot_messages (
    account_id bigint NOT NULL,
    message_id bigint NOT NULL,
    meeting_note_id uuid REFERENCES public.meeting_notes (id) ON DELETE SET NULL,
    user_id uuid,
    bucket_name text NOT NULL,
    object_path text NOT NULL,
    delivery_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, message_id)
);

-- Jobs: claimed with FOR UPDATE SKIP LOCKED, leased (a job whose worker died is claimed again
-- when its lease ends), retried with backoff until max_attempts, then 'failed' with the reason.
CREATE TABLE IF NOT EXISTS public.userbuckets_jobs (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'done', 'failed', 'skipped')),
    attempts int NOT NULL DEFAULT 0,
    max_attempts int NOT NULL DEFAULT 8,
    run_at timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    leased_by text,
    last_error text,
    result jsonb,
    dedupe_key text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS userbuckets_jobs_runnable
    ON public.userbuckets_jobs (run_at) WHERE status IN ('queued', 'running');

-- Not for the Data API: only the service (and service_role) reads and writes them.
REVOKE ALL ON public.userbuckets_chatwoot_messages, public.userbuckets_jobs FROM PUBLIC, anon, authenticated;
ALTER TABLE public.userbuckets_chatwoot_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.userbuckets_jobs ENABLE ROW LEVEL SECURITY;
