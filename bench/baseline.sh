#!/usr/bin/env bash
# The floor: bench/identify.sh's load against a plain C libfcgi + libpq responder doing the
# same query, in place of user-bucket-service, on the same stack. Prints the same summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/.stack-baseline"
gcc -O2 -o "$root/.stack-baseline/baseline-responder" "$root/bench/baseline/responder.c" \
    $(pkg-config --cflags libpq) -lfcgi -lpq
UB_BENCH_NO_KEEPALIVE=1 UB_BENCH_RESPONDER="$root/.stack-baseline/baseline-responder" "$root/bench/identify.sh"
