-- The original tables (ORIGINAL.md section 9), created only where they are missing: an existing
-- Supabase database keeps its own definitions.
CREATE OR REPLACE FUNCTION public.update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;

CREATE TABLE IF NOT EXISTS public.profiles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL UNIQUE REFERENCES auth.users (id) ON DELETE CASCADE,
    phone_number text,
    whatsapp_number text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.whatsapp_user_mapping (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    whatsapp_number text NOT NULL,
    chatwoot_contact_id text,
    chatwoot_account_id text,
    is_verified boolean DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, whatsapp_number),
    UNIQUE (chatwoot_contact_id, chatwoot_account_id)
);
CREATE INDEX IF NOT EXISTS idx_whatsapp_user_mapping_whatsapp_number
    ON public.whatsapp_user_mapping (whatsapp_number);

CREATE TABLE IF NOT EXISTS public.user_bucket_mapping (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL UNIQUE REFERENCES auth.users (id) ON DELETE CASCADE,
    bucket_name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    notify_on_ready boolean DEFAULT false
);

CREATE TABLE IF NOT EXISTS public.meeting_notes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid,
    chatwoot_conversation_id text,
    content text,
    source_type text NOT NULL CHECK (source_type IN ('whatsapp', 'manual', 'email', 'sms', 'telegram')),
    processed_at timestamptz NOT NULL DEFAULT now(),
    metadata jsonb DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    contact_identifier text,
    chatwoot_message_id text,
    chatwoot_contact_id text,
    message_type text CHECK (message_type IN ('incoming', 'outgoing', 'template')),
    gcs_storage_path text,
    processing_status text DEFAULT 'stored' CHECK (processing_status IN ('stored', 'processing', 'processed', 'error')),
    error_details text
);
CREATE INDEX IF NOT EXISTS idx_meeting_notes_contact_identifier ON public.meeting_notes (contact_identifier);
CREATE INDEX IF NOT EXISTS idx_meeting_notes_chatwoot_message_id ON public.meeting_notes (chatwoot_message_id);

CREATE TABLE IF NOT EXISTS public.audio_files (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid,
    meeting_note_id uuid REFERENCES public.meeting_notes (id) ON DELETE CASCADE,
    chatwoot_attachment_url text,
    file_path text,
    transcription text,
    duration_seconds int,
    processed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    contact_identifier text,
    chatwoot_attachment_id int,
    original_file_size int,
    transcription_status text DEFAULT 'pending' CHECK (transcription_status IN ('pending', 'processing', 'completed', 'error')),
    transcription_error text,
    openai_model text DEFAULT 'whisper-1'
);

CREATE TABLE IF NOT EXISTS public.knowledge_files (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    name text NOT NULL,
    type text NOT NULL CHECK (type IN ('file', 'image', 'audio', 'video', 'link')),
    size bigint,
    url text,
    storage_path text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    gcs_bucket text,
    gcs_path text,
    file_hash text,
    content_extracted boolean DEFAULT false,
    extracted_content text,
    extraction_metadata jsonb,
    metadata jsonb,
    transcription text,
    transcription_status text CHECK (transcription_status IN ('pending', 'processing', 'completed', 'failed')),
    transcription_error text,
    transcribed_at timestamptz,
    transcription_attempts int DEFAULT 0,
    last_transcription_attempt_at timestamptz
);

CREATE TABLE IF NOT EXISTS public.conversations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    title text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    chatwoot_conversation_id integer UNIQUE,
    context_json jsonb DEFAULT '{}'::jsonb
);
