#!/usr/bin/env bash
# Benchmark (not a test): signed text-message webhooks through nginx, each a new message from
# one of 5,000 known users whose buckets exist (the steady state: a message is identified with
# one query, its object written create-only and flushed, its row, gate and jobs recorded in one
# statement), stored on the filesystem backend — or on the GCS emulator with
# UB_BENCH_STORAGE=gcs. wrk at 32 connections for 10 s. Prints stored messages/s, p50, p99,
# errors, and the rows against the deliveries answered (no duplicates).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_BENCH_PORT:-18780}
state="$root/.stack-bench-webhook"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build --test
bench_stack "$state" "$port" "${UB_BENCH_STORAGE:-filesystem}"
psql "$DATABASE_URL" -q <<SQL
INSERT INTO auth.users (id) SELECT md5('hook' || i)::uuid FROM generate_series(0, 4999) i;
INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number)
    SELECT md5('hook' || i)::uuid, '+55119' || (60000000 + i) FROM generate_series(0, 4999) i;
INSERT INTO public.user_bucket_mapping (user_id, bucket_name)
    SELECT md5('hook' || i)::uuid, '$GCS_BUCKET_PREFIX-u-hook' || i FROM generate_series(0, 4999) i;
ANALYZE;
SQL
for i in $(seq 0 4999); do echo "$GCS_BUCKET_PREFIX-u-hook$i"; done | if [ "${UB_BENCH_STORAGE:-filesystem}" = gcs ]; then
    while read -r name; do
        curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"name\":\"$name\"}" "$STORAGE_EMULATOR_HOST/storage/v1/b?project=local"
    done
else
    (cd "$STORAGE_DIR" && xargs mkdir -p)
fi

deliveries="$state/deliveries.tsv"
python3 bench/webhook.py "$CHATWOOT_WEBHOOK_SECRET" 60000 ../shared/fixtures/chatwoot/01_message_created_incoming_text.json "$deliveries"
export UB_BENCH_DELIVERIES="$deliveries" UB_BENCH_THREADS=2
out=$(wrk -t 2 -c 32 -d 10s --latency -s bench/webhook.lua "http://127.0.0.1:$port")
echo "$out"
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
errors=$(echo "$out" | awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' | tr '\n' ' ')
answered=$(echo "$out" | awk '/requests in/ {print $1}')
rows=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM public.meeting_notes")
distinct=$(psql "$DATABASE_URL" -tAc "SELECT count(DISTINCT chatwoot_message_id) FROM public.meeting_notes")
echo
echo "webhook (${UB_BENCH_STORAGE:-filesystem}): ${rps} stored messages/s, p50 ${p50}, p99 ${p99}, errors: ${errors:-none}; ${answered} answered, ${rows} rows, ${distinct} distinct messages"
