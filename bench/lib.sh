# Sourced by the benchmark scripts: the release build and the stack each one runs against.
# Expects $root (the project folder).

# bench_build [--test]: installs what the benchmark needs (install-deps.sh's flags), builds the
# release binaries; sets $bin.
bench_build() {
    "$root/scripts/install-deps.sh" "$@"
    # DWARF 4 for the C++ bridge: valgrind 3.19 (Debian 12) cannot read the DWARF 5 clang writes
    # for ICU's headers and gives up on the whole binary (identify.sh's callgrind mode).
    swift build -c release -Xcxx -gdwarf-4 >/dev/null
    bin=$(swift build -c release -Xcxx -gdwarf-4 --show-bin-path)
}

# bench_stack STATE PORT [gcs]: a new stack under STATE on PORT (UB_WORKERS per function,
# default 6; no job workers; LOG_LEVEL warning unless set), its storage on the GCS emulator at
# PORT+2 when asked, and its env loaded. Both are stopped and deleted when the script exits —
# deleted then, not when the next run starts: ext4 without a journal (these machines) skips
# inodes freed in the last 1–5 minutes when it makes a file, so writing many objects right
# after deleting many is several times slower.
bench_stack() {
    local state=$1 port=$2 storage=${3:-filesystem}
    local emulator="$state-emulator"
    for dir in "$state" "$emulator"; do
        "$root/scripts/stack.sh" stop "$dir" 2>/dev/null || true
        rm -rf "$dir"
    done
    # shellcheck disable=SC2064 # the paths are fixed now
    trap "'$root/scripts/stack.sh' stop '$state'; '$root/scripts/stack.sh' stop '$emulator'; rm -rf '$state' '$emulator'" EXIT
    # Stop the stack on Ctrl-C and SIGTERM too (bash runs EXIT traps only on a normal exit).
    trap 'exit 130' INT TERM
    if [ "$storage" = gcs ]; then
        mkdir -p "$emulator/log" && touch "$emulator/env"
        "$root/scripts/stack.sh" gcs-start "$emulator" "$((port + 2))"
        export STORAGE_BACKEND=gcs STORAGE_EMULATOR_HOST="http://127.0.0.1:$((port + 2))"
    fi
    LOG_LEVEL=${LOG_LEVEL:-warning} UB_WORKERS=${UB_WORKERS:-6} UB_JOB_WORKERS=0 \
        "$root/scripts/stack.sh" start "$state" "$port" "$bin"
    set -a
    # shellcheck disable=SC1091
    . "$state/env"
    set +a
}
