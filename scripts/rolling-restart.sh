#!/usr/bin/env bash
# Restarts every worker of every FastCGI pool (and the job workers) of a stack, one at a time,
# so a new build on disk takes over with no failed request: the pool's listening socket stays
# open (multiwatch holds it), a worker asked to stop finishes the request it holds, and multiwatch
# starts its replacement before the next one is asked.
#
#   scripts/rolling-restart.sh STATE_DIR
set -euo pipefail
state=$(cd "$1" && pwd)

alive() {
    local status
    status=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$status" ] && [ "$status" != Z ]
}

children() { cat "/proc/$1/task/$1/children" 2>/dev/null || true; }

for pidfile in "$state"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pool=$(cat "$pidfile")
    alive "$pool" || continue
    workers=$(children "$pool")
    count=$(echo "$workers" | wc -w)
    for worker in $workers; do
        kill -TERM "$worker" 2>/dev/null || continue
        # Wait for it to leave and for multiwatch to have N live workers again.
        for _ in $(seq 200); do
            if ! alive "$worker"; then
                live=0
                for child in $(children "$pool"); do alive "$child" && live=$((live + 1)); done
                [ "$live" -ge "$count" ] && break
            fi
            sleep 0.05
        done
    done
    echo "$(basename "$pidfile" .pid): $count workers restarted"
done
