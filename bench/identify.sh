#!/usr/bin/env bash
# Benchmark (not a test): identify-and-ensure-bucket through nginx with varied numbers.
# Builds release binaries, starts a private stack under .stack-bench, seeds 100,000 users with
# mappings and buckets, warms up, runs wrk at 64 connections for 10 s, and prints req/s, p50,
# p99, errors and the RSS of every worker. UB_WORKERS (default 6) and UB_THREADS set the pool;
# UB_BENCH_RESPONDER swaps in another user-bucket-service binary (bench/baseline.sh uses it);
# UB_BENCH_NO_KEEPALIVE=1 turns nginx's FastCGI keep-alive off (so does baseline.sh).
# UB_BENCH_CALLGRIND=FILE runs one worker under valgrind's callgrind instead and prints the
# instructions it spends per request (repeatable, unlike req/s); open FILE with callgrind_annotate.
# Both together profile the other binary. UB_BENCH_WRK_NICE runs the measured wrk niced;
# UB_BENCH_CONNECTIONS (64) sets its connections. UB_BENCH_NGINX_ONLY=1 measures the harness
# itself: the same load against nginx answering a constant answer of the same size and headers
# (no FastCGI, no worker) — the floor under any responder's figures on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_BENCH_PORT:-18580}
state="$root/.stack-bench"
users=${UB_BENCH_USERS:-100000}

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build
if [ -n "${UB_BENCH_CALLGRIND:-}" ]; then
    command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
    export UB_CALLGRIND_OUT="$UB_BENCH_CALLGRIND" UB_CALLGRIND_BIN="${UB_BENCH_RESPONDER:-$bin/user-bucket-service}"
    export UB_WORKERS=1 UB_BENCH_RESPONDER="$root/bench/callgrind-worker.sh"
    rm -f "$UB_BENCH_CALLGRIND" "$UB_BENCH_CALLGRIND".*
fi
# The pool measured: one worker per core unless UB_WORKERS (or UB_WORKERS_USER_BUCKET_SERVICE)
# says otherwise — with the identification cache warm this pool is CPU-bound, and more workers
# than cores only lengthen the tail (README, Benchmark). The other pools keep UB_WORKERS (6).
if [ -z "${UB_WORKERS:-}" ]; then export UB_WORKERS_USER_BUCKET_SERVICE=${UB_WORKERS_USER_BUCKET_SERVICE:-$(nproc)}; fi
bench_stack "$state" "$port"
if [ -n "${UB_BENCH_NO_KEEPALIVE:-}" ]; then
    # nginx connects per request, as for a responder on libfcgi's own blocking accept loop
    # (which a kept connection would pin: PROTOCOLS.md §6.3).
    sed -i 's/ keepalive [0-9]*;//' "$state/nginx/functions.conf"
    sed -e 's/^fastcgi_keep_conn on;$/fastcgi_keep_conn off;/' "$root/nginx/locations.conf" >"$state/nginx/locations.conf"
    sed -i "s|include $root/nginx/locations.conf;|include $state/nginx/locations.conf;|" "$state/nginx/nginx.conf"
    nginx -s reload -c "$state/nginx/nginx.conf" -p "$state/nginx/" 2>/dev/null
    sleep 1
fi
if [ -n "${UB_BENCH_NGINX_ONLY:-}" ]; then
    # What identify-and-ensure-bucket answers (260 bytes, its CORS and request-id headers),
    # answered by nginx from its configuration.
    answer='{"success":true,"data":{"userId":"75ef2a36-7ad3-7fb7-7152-706530c33e7e","contactId":"user_75ef2a36-7ad3-7fb7-7152-706530c33e7e","bucketName":"pacelane-whatsapp-u-bench1","isNewBucket":false,"whatsappNumber":"5511960000001","normalizedNumber":"+5511960000001"}}'
    cat >"$state/nginx/constant.conf" <<NGINX
location = /bench/constant {
    add_header Access-Control-Allow-Origin "*";
    add_header Access-Control-Allow-Headers "authorization, x-client-info, apikey, content-type, x-retry-count, x-request-id";
    add_header Access-Control-Allow-Methods "POST, OPTIONS";
    add_header X-Request-Id "05752cd669275e8c";
    return 200 '$answer';
}
NGINX
    sed -i "s|include $root/nginx/locations.conf;|include $state/nginx/constant.conf; include $root/nginx/locations.conf;|" "$state/nginx/nginx.conf"
    nginx -s reload -c "$state/nginx/nginx.conf" -p "$state/nginx/" 2>/dev/null
    sleep 1
    export UB_BENCH_PATH=/bench/constant
fi
if [ -n "${UB_BENCH_RESPONDER:-}" ]; then
    # Replace the pool's workers: stop it and start the same socket with the other binary.
    pid=$(cat "$state/run/user-bucket-service.pid")
    workers=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    kill -TERM "$pid"
    for _ in $(seq 50); do [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" = Z ] && break; sleep 0.1; done
    # shellcheck disable=SC2086
    kill -KILL "$pid" $workers 2>/dev/null || true
    rm -f "$state/run/user-bucket-service.sock"
    set -a; . "$state/env"; set +a
    spawn-fcgi -n -s "$state/run/user-bucket-service.sock" -M 0666 -b 1024 -- \
        /usr/bin/multiwatch -f "${UB_WORKERS:-6}" -s TERM -- "$UB_BENCH_RESPONDER" >>"$state/log/baseline.log" 2>&1 </dev/null &
    echo $! >"$state/run/user-bucket-service.pid"
    for _ in $(seq 100); do [ -S "$state/run/user-bucket-service.sock" ] && break; sleep 0.05; done
fi
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a

psql "$DATABASE_URL" -q <<SQL
INSERT INTO auth.users (id) SELECT md5('bench' || i)::uuid FROM generate_series(1, $users) i;
INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number)
    SELECT md5('bench' || i)::uuid, '+55119' || (60000000 + i) FROM generate_series(1, $users) i;
INSERT INTO public.user_bucket_mapping (user_id, bucket_name)
    SELECT md5('bench' || i)::uuid, '$GCS_BUCKET_PREFIX-u-bench' || i FROM generate_series(1, $users) i;
ANALYZE;
SQL

# The public demo service-role key, valid for the default local secret.
export UB_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU
export UB_BENCH_USERS=$users
url="http://127.0.0.1:$port"
# Warm-up: the pool connects, and every worker's identification cache learns the numbers it
# will be asked for — each worker sees every number, so 100,000 users take tens of seconds.
# UB_BENCH_WARM_SECONDS (3) first, then 3 s rounds until a round's lookups were 99 % hits
# (userbuckets_identity_cache_lookups_total), UB_BENCH_WARM_MAX_SECONDS (90) at most. A responder
# that counts no lookups (the C floor has no cache) stops after the first round.
cache_lookups() {
    curl -s "$url/functions/v1/_metrics" | awk '/^userbuckets_identity_cache_lookups_total/ {
        if ($1 ~ /"hit"/) h = $2; else m = $2 } END { printf "%d %d\n", h, m }'
}
wrk -t 2 -c 64 -d "${UB_BENCH_WARM_SECONDS:-3}s" -s bench/identify.lua "$url" >/dev/null
warmed=${UB_BENCH_WARM_SECONDS:-3}
while [ "$warmed" -lt "${UB_BENCH_WARM_MAX_SECONDS:-90}" ]; do
    read -r hits misses < <(cache_lookups)
    wrk -t 2 -c 64 -d 3s -s bench/identify.lua "$url" >/dev/null
    warmed=$((warmed + 3))
    read -r hits2 misses2 < <(cache_lookups)
    lookups=$((hits2 - hits + misses2 - misses))
    [ "$lookups" -gt 0 ] || break
    echo "warm-up: ${warmed} s, cache hits $(((hits2 - hits) * 100 / lookups)) % of the last round's lookups" >&2
    [ $(((hits2 - hits) * 100)) -ge $((lookups * 99)) ] && break
done
if [ -n "${UB_BENCH_CALLGRIND:-}" ]; then
    callgrind_control -z >/dev/null 2>&1
    out=$(wrk -t 1 -c 4 -d 10s -s bench/identify.lua "$url")
    callgrind_control -d >/dev/null 2>&1
    sleep 1
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    dump=$(ls "$UB_BENCH_CALLGRIND".* | tail -n 1)
    total=$(callgrind_annotate "$dump" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "$requests requests, $((total / requests)) instructions per request in the worker ($dump)"
    exit 0
fi
# CPU ticks (user, system) of the user-bucket-service workers, to print the CPU per request.
pool=$(cat "$state/run/user-bucket-service.pid")
worker_ticks() {
    for child in $(cat "/proc/$pool/task/$pool/children"); do awk '{print $14, $15}' "/proc/$child/stat"; done |
        awk '{u += $1; s += $2} END {print u, s}'
}
before=$(worker_ticks)
# UB_BENCH_WRK_NICE (0): the load generator's niceness — on this machine it shares the two cores
# with nginx and the workers, and its own scheduling is part of the latency it measures.
out=$(nice -n "${UB_BENCH_WRK_NICE:-0}" wrk -t 2 -c "${UB_BENCH_CONNECTIONS:-64}" -d 10s --latency -s bench/identify.lua "$url")
after=$(worker_ticks)
echo "$out"

rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
errors=$(echo "$out" | awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' | tr '\n' ' ')
rss=""
for pidfile in "$state"/run/*.pid; do
    for child in $(cat "/proc/$(cat "$pidfile")/task/$(cat "$pidfile")/children"); do
        rss+="$(basename "$pidfile" .pid):$(($(awk '/VmRSS/ {print $2}' "/proc/$child/status") / 1024))MB "
    done
done
echo
label="identify-and-ensure-bucket"
[ -z "${UB_BENCH_NGINX_ONLY:-}" ] || label="nginx alone (a constant answer)"
echo "$label: ${rps} req/s, p50 ${p50}, p99 ${p99}, errors: ${errors:-none}"
echo "worker RSS: $rss"
requests=$(echo "$out" | awk '/requests in/ {print $1}')
hz=$(getconf CLK_TCK)
echo "$before $after" | awk -v n="$requests" -v hz="$hz" '{
    printf "worker CPU per request: %.1f us user, %.1f us system\n", ($3 - $1) / hz / n * 1e6, ($4 - $2) / hz / n * 1e6 }'
