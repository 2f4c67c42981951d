#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds with warnings as
# errors, starts a private stack (PostgreSQL, the FastCGI pools, nginx) on loopback, runs every
# test against it, and stops the stack again whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/install-deps.sh" --test

echo "== format"
swift format lint --strict --recursive Package.swift Sources Tests

echo "== build"
swift build --build-tests -Xswiftc -warnings-as-errors

state="$root/.stack-test"
gcs_state="$root/.stack-test-gcs"
port=${UB_TEST_PORT:-18480}
for dir in "$state" "$gcs_state"; do "$root/scripts/stack.sh" stop "$dir" 2>/dev/null || true; rm -rf "$dir"; done
trap '"$root/scripts/stack.sh" stop "$gcs_state"; "$root/scripts/stack.sh" stop "$state"' EXIT
# Stop the stack on Ctrl-C and SIGTERM too (bash runs EXIT traps only on a normal exit).
trap 'exit 130' INT TERM

echo "== stack"
# The knowledge base queues its processing trigger (a closed loopback port here: the tests that
# check the calls run the worker with their own stand-in processor's URL).
export KB_PROCESSING_URL=http://127.0.0.1:9/functions/v1/vertex-ai-rag-processor
# No background job worker: the tests run `job-worker --drain` themselves, with stand-ins.
UB_WORKERS=4 UB_JOB_WORKERS=0 "$root/scripts/stack.sh" start "$state" "$port" "$(swift build --show-bin-path)"
"$root/scripts/stack.sh" gcs-start "$state" "$((port + 2))"

echo "== tests"
# One test at a time: the resilience tests stop PostgreSQL and kill workers under everyone.
UB_STACK_ENV="$state/env" swift test --skip-build --no-parallel

echo "== knowledge base, today's webhook callers and contact merges on the GCS emulator"
# The same knowledge-base and contact-merge suites again, and the webhook's service-role,
# conversations and reprocess_audio tests, through nginx on a second stack whose storage is the
# emulator.
STORAGE_BACKEND=gcs STORAGE_EMULATOR_HOST="http://127.0.0.1:$((port + 2))" UB_WORKERS=2 UB_JOB_WORKERS=0 \
    "$root/scripts/stack.sh" start "$gcs_state" "$((port + 10))" "$(swift build --show-bin-path)"
UB_STACK_ENV="$gcs_state/env" swift test --skip-build --no-parallel \
    --filter 'KnowledgeBaseTests|ContactMergeTests|ChatwootWebhookTests/(theServiceRole|aKnownUsers|aUsersOnly|reprocessAudio)'

echo "== many hosts"
# Two app hosts, a database host and a client in network namespaces of their own (nothing leaves
# this machine): cross-host exactly-once, cache coherence, a host killed under load.
UB_MULTIHOST_STATE="$root/.stack-multihost" "$root/scripts/multihost.sh" "$(swift build --show-bin-path)"

echo "== logs"
# No phone number from the fixtures or the tests, and no secret, may reach a log: a Brazilian
# number in any common shape, not part of a longer hex or digit run (request ids are hex).
phone='(?<![0-9A-Za-z])\+?55[ .-]?\(?[1-9][0-9]\)?[ .-]?9?[0-9]{4}[ .-]?[0-9]{4}(?![0-9A-Za-z])'
logs=("$state"/log/*.log "$gcs_state"/log/*.log "$root"/.stack-multihost/app*/log/*.log)
if grep -P -h -o "$phone" "${logs[@]}" | head -n 5 | grep -q .; then
    echo "a phone number reached the logs:" >&2
    grep -P -l "$phone" "${logs[@]}" >&2
    exit 1
fi
for name in SUPABASE_JWT_SECRET CHATWOOT_WEBHOOK_SECRET CHATWOOT_WEBHOOK_TOKEN; do
    if grep -q -F "$(grep "^$name=" "$state/env" | cut -d= -f2-)" "$state"/log/*.log "$gcs_state"/log/*.log; then
        echo "$name reached the logs" >&2
        exit 1
    fi
done
# The OpenAI key and the transcript the stand-in returns (tests/AudioJobTests), and the signing key
# of the GCS tests, never either.
for secret in "sk-test" "Lembrar de pagar a conta de luz" "PRIVATE KEY"; do
    if grep -q -F "$secret" "$state"/log/*.log "$gcs_state"/log/*.log; then
        echo "a secret or a transcript reached the logs: $secret" >&2
        exit 1
    fi
done
echo "logs clean"
