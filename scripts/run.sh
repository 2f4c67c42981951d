#!/usr/bin/env bash
# The run command: installs what is missing, builds release binaries, and serves all functions
# on http://127.0.0.1:${UB_PORT:-8080} from a local PostgreSQL cluster and filesystem storage
# under .local/. Ctrl-C stops everything; data stays in .local/ for the next run.
#
# Google Cloud Storage instead of the filesystem: set the service account (GCS_PROJECT_ID,
# GCS_CLIENT_EMAIL, GCS_PRIVATE_KEY[, GCS_PRIVATE_KEY_ID], or GOOGLE_APPLICATION_CREDENTIALS)
# or an emulator (STORAGE_EMULATOR_HOST) before running; STORAGE_BACKEND then defaults to gcs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_PORT:-8080}
state="$root/.local"

"$root/scripts/install-deps.sh"
swift build -c release
"$root/scripts/stack.sh" stop "$state" 2>/dev/null || true
trap '"$root/scripts/stack.sh" stop "$state"; echo stopped' EXIT
trap 'exit 0' INT TERM
if [ -z "${STORAGE_BACKEND:-}" ] && [ -n "${GCS_PRIVATE_KEY:-}${GOOGLE_APPLICATION_CREDENTIALS:-}${STORAGE_EMULATOR_HOST:-}" ]; then
    export STORAGE_BACKEND=gcs
fi
"$root/scripts/stack.sh" start "$state" "$port" "$(swift build -c release --show-bin-path)"

# The Supabase CLI's public demo service-role key, signed with the default local secret.
key=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU
cat <<MSG

userbuckets is serving on http://127.0.0.1:$port/functions/v1/<function>
  storage: ${STORAGE_BACKEND:-filesystem}$([ "${STORAGE_BACKEND:-filesystem}" = filesystem ] && echo " in $state/data/buckets/")
  logs: $state/log/   database: DATABASE_URL in $state/env

Try:
  curl -s http://127.0.0.1:$port/functions/v1/user-bucket-service \\
    -H 'Authorization: Bearer $key' \\
    -d '{"action":"identify-and-ensure-bucket","whatsappNumber":"+55 11 98765-4321"}'

Chatwoot → this machine: Settings → Integrations → Webhooks → Add, event "Message created",
  URL     http://<this host>:$port/functions/v1/chatwoot-webhook
  secret  $(grep '^CHATWOOT_WEBHOOK_SECRET=' "$state/env" | cut -d= -f2-)   (Chatwoot with webhook signing)
Chatwoot versions that cannot sign: use the URL with ?token=$(grep '^CHATWOOT_WEBHOOK_TOKEN=' "$state/env" | cut -d= -f2-)
(both kept in $state/chatwoot-webhook.secrets; CHATWOOT_WEBHOOK_SECRET/_TOKEN override them)

Ctrl-C stops it.
MSG
# sleep in the background and wait for it, so Ctrl-C and SIGTERM are handled at once.
while true; do
    sleep 3600 &
    wait $!
done
