#!/usr/bin/env bash
# Benchmark (not a test): knowledge-base-storage through nginx on the filesystem backend —
# uploads of 100 KB and 5 MB text files (base64 JSON, every file different) by one user, then
# `list` (100 newest) for a user with 1,000 files. wrk, 10 s each. Prints rate, p50, p99, errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${UB_BENCH_PORT:-18880}
state="$root/.stack-bench-kb"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_build
bench_stack "$state" "$port"
user=00000000-0000-4000-8000-00000000b0b0
psql "$DATABASE_URL" -q -c "INSERT INTO auth.users (id) VALUES ('$user')"
export UB_TOKEN
UB_TOKEN=$(python3 - "$SUPABASE_JWT_SECRET" "$user" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(json.dumps({"sub": sys.argv[2], "role": "authenticated", "aud": "authenticated", "exp": 4102444800}).encode())
print(head + "." + body + "." + b(hmac.new(sys.argv[1].encode(), (head + "." + body).encode(), hashlib.sha256).digest()))
PY
)
url="http://127.0.0.1:$port"
summary() {
    local label=$1 out=$2
    echo "$label: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s, p50 $(echo "$out" | awk '$1 == "50%" {print $2}'), p99 $(echo "$out" | awk '$1 == "99%" {print $2}'), errors: $(echo "$out" | awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' | tr '\n' ' ')"
}
summary "upload 100 KB" "$(UB_BENCH_BYTES=102400 wrk -t 2 -c 8 -d 10s --latency -s bench/kb.lua "$url")"
summary "upload 5 MB" "$(UB_BENCH_BYTES=5242880 wrk -t 2 -c 4 -d 10s --latency --timeout 30s -s bench/kb.lua "$url")"
# A user with exactly 1,000 files for list.
psql "$DATABASE_URL" -q -c "DELETE FROM public.knowledge_files WHERE user_id = '$user'"
psql "$DATABASE_URL" -q -c "INSERT INTO public.knowledge_files (user_id, name, type, size, url, file_hash)
    SELECT '$user', 'file-' || i || '.txt', 'file', 1000, 'filesystem://b/o' || i, md5(i::text) FROM generate_series(1, 1000) i; ANALYZE"
summary "list (1,000 files, newest 100)" "$(UB_BENCH_MODE=list wrk -t 2 -c 16 -d 10s --latency -s bench/kb.lua "$url")"
