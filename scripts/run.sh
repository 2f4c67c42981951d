#!/usr/bin/env bash
# The run command: installs what is missing, builds release binaries, and serves all functions
# on http://${UB_LISTEN:-127.0.0.1}:${UB_PORT:-8080} from a local PostgreSQL cluster and
# filesystem storage under .local/. Ctrl-C stops everything; data stays in .local/ for the next
# run. It prints the anon and service-role keys and a token for a demo user it makes once.
# UB_LISTEN=0.0.0.0 (or an address of this machine) lets Chatwoot on another machine reach it.
#
# Google Cloud Storage instead of the filesystem: set the service account (GCS_PROJECT_ID,
# GCS_CLIENT_EMAIL, GCS_PRIVATE_KEY[, GCS_PRIVATE_KEY_ID], or GOOGLE_APPLICATION_CREDENTIALS)
# or an emulator (STORAGE_EMULATOR_HOST) before running; STORAGE_BACKEND then defaults to gcs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_PORT:-8080}
listen=${UB_LISTEN:-127.0.0.1}
export UB_LISTEN=$listen
state="$root/.local"

"$root/scripts/install-deps.sh"
swift build -c release
"$root/scripts/stack.sh" stop "$state" 2>/dev/null || true
trap '"$root/scripts/stack.sh" stop "$state"; echo stopped' EXIT
trap 'exit 0' INT TERM
if [ -z "${STORAGE_BACKEND:-}" ] && [ -n "${GCS_PRIVATE_KEY:-}${GOOGLE_APPLICATION_CREDENTIALS:-}${STORAGE_EMULATOR_HOST:-}" ]; then
    export STORAGE_BACKEND=gcs
fi
bin=$(swift build -c release --show-bin-path)
"$root/scripts/stack.sh" start "$state" "$port" "$bin"

# The keys of this stack's JWT secret, and a demo user (made once, a new token every start).
cli() { "$bin/userbuckets" --env-file "$state/env" "$@"; }
anon=$(cli dev keys --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["anonKey"])')
key=$(cli dev keys --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serviceRoleKey"])')
demo_id=$(cat "$state/demo-user" 2>/dev/null || true)
demo=$(cli dev user ${demo_id:+--id "$demo_id"} --json)
demo_id=$(echo "$demo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["userId"])')
echo "$demo_id" >"$state/demo-user"
demo_token=$(echo "$demo" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
host=$listen
if [ "$listen" = 0.0.0.0 ]; then host=$(hostname -I 2>/dev/null | awk '{print $1}'); host=${host:-127.0.0.1}; fi
cat <<MSG

userbuckets is serving on http://$host:$port/functions/v1/<function>
  anon key          $anon
  service-role key  $key
  demo user         $demo_id
  its token         $demo_token
  (more users: $bin/userbuckets dev user — the CLI reads $state/env by itself from this checkout)
  storage: ${STORAGE_BACKEND:-filesystem}$([ "${STORAGE_BACKEND:-filesystem}" = filesystem ] && echo " in $state/data/buckets/")
  logs: $state/log/   database: DATABASE_URL in $state/env

Try:
  curl -s http://$host:$port/functions/v1/user-bucket-service \\
    -H 'Authorization: Bearer $key' \\
    -d '{"action":"identify-and-ensure-bucket","whatsappNumber":"+55 11 98765-4321"}'

Chatwoot → this machine: Settings → Integrations → Webhooks → Add, event "Message created",
  URL     http://$host:$port/functions/v1/chatwoot-webhook$([ "$listen" = 127.0.0.1 ] && echo "   (this machine only: UB_LISTEN=0.0.0.0 scripts/run.sh for a Chatwoot elsewhere)")
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
