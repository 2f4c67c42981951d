#!/usr/bin/env bash
# Benchmark (not a test) of the gcs backend against the GCS emulator (fake-gcs-server):
#  1. identify-and-ensure-bucket for a new user on every request, through nginx (each request
#     creates a bucket and a mapping row): wrk, 16 connections, 10 s;
#  2. create-only uploads of 1 KB and 1 MB objects through nginx (knowledge-base-storage
#     uploads, each file different), 8 and 4 connections, 10 s;
#  3. the same sizes from 4 threads with the storage client alone (`userbuckets object
#     load-test`), to see what the function adds.
# Prints req/s, p50, p99, errors, and the buckets and rows made.
# UB_BENCH_STORAGE=filesystem runs part 1 (the cold path) on the filesystem backend instead;
# UB_BENCH_COLD_ONLY=1 stops after part 1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_BENCH_PORT:-18680}
state="$root/.stack-bench-gcs"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build --test
storage=${UB_BENCH_STORAGE:-gcs}
bench_stack "$state" "$port" "$storage"

psql "$DATABASE_URL" -q <<SQL
INSERT INTO auth.users (id)
    SELECT format('00000000-0000-4000-8000-%s', lpad((t * 1000000 + i)::text, 12, '0'))::uuid
    FROM generate_series(0, 1) t, generate_series(1, 60000) i;
ANALYZE;
SQL

export UB_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU
out=$(wrk -t 2 -c 16 -d 10s --latency -s bench/gcs.lua "http://127.0.0.1:$port")
echo "$out"
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
errors=$(echo "$out" | awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' | tr '\n' ' ')
rows=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM public.user_bucket_mapping")
if [ "$storage" = gcs ]; then
    buckets=$(curl -s "$STORAGE_EMULATOR_HOST/storage/v1/b?project=local" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("items", [])))')
else
    buckets=$(find "$STORAGE_DIR" -mindepth 1 -maxdepth 1 -type d -not -name ".*" | wc -l)
fi
echo
echo "new-user ensure on $storage (bucket + row per request): ${rps} req/s, p50 ${p50}, p99 ${p99}, errors: ${errors:-none}; rows ${rows}, buckets ${buckets}"
[ -n "${UB_BENCH_COLD_ONLY:-}" ] && exit 0
kb_user=00000000-0000-4000-8000-00000000b0b1
psql "$DATABASE_URL" -q -c "INSERT INTO auth.users (id) VALUES ('$kb_user')"
UB_TOKEN=$(python3 - "$SUPABASE_JWT_SECRET" "$kb_user" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(json.dumps({"sub": sys.argv[2], "role": "authenticated", "aud": "authenticated", "exp": 4102444800}).encode())
print(head + "." + body + "." + b(hmac.new(sys.argv[1].encode(), (head + "." + body).encode(), hashlib.sha256).digest()))
PY
)
for size in 1024 1048576; do
    connections=$([ "$size" = 1024 ] && echo 8 || echo 4)
    out=$(UB_BENCH_BYTES=$size wrk -t 2 -c "$connections" -d 10s --latency -s bench/kb.lua "http://127.0.0.1:$port")
    echo "create-only uploads of $size bytes through nginx: $(echo "$out" | awk '/Requests\/sec/ {print $2}') /s, p50 $(echo "$out" | awk '$1 == "50%" {print $2}'), p99 $(echo "$out" | awk '$1 == "99%" {print $2}'), errors: $(echo "$out" | awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' | tr '\n' ' ')"
done
objects=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM public.knowledge_files WHERE user_id = '$kb_user'")
echo "knowledge_files rows for the uploads: $objects"
for size in 1024 1048576; do
    count=$([ "$size" = 1024 ] && echo 4000 || echo 200)
    echo "create-only uploads of $size bytes: $("$bin/userbuckets" object load-test ub-bench-objects --size "$size" --count "$count" --threads 4)"
done
