#!/bin/sh
# A user-bucket-service worker under callgrind, for bench/identify.sh UB_BENCH_CALLGRIND=FILE.
exec valgrind --tool=callgrind --callgrind-out-file="$UB_CALLGRIND_OUT" "$UB_CALLGRIND_BIN"
