#!/usr/bin/env bash
# Benchmark (not a test): the cost of one phone parse, by path, through `userbuckets normalize`
# (one process, 200,000 lines a run, best of 3). Paths: the ASCII Brazilian fast path, a full
# libphonenumber parse (other countries, carrier codes, exit codes), and pasted text (NFKC and
# Unicode separators first). The cost of reading and printing a line is measured on input that
# is rejected at once and taken off. UB_BENCH_BEFORE=BIN_DIR measures another build's
# `userbuckets` side by side (e.g. a worktree of the previous commit).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/bench/lib.sh"
bench_build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import random, sys
rng = random.Random(7)
work = sys.argv[1]
def digits(n): return "".join(rng.choice("0123456789") for _ in range(n))
ddd = ["11", "21", "31", "41", "51", "61", "71", "81", "91", "47", "85"]
shapes = {
    "empty": lambda: "x" + digits(12),
    "fast": lambda: rng.choice(["+55 %s 9%s-%s", "55%s9%s%s", "(%s) 9%s-%s"]) % (rng.choice(ddd), digits(4), digits(4)),
    "full": lambda: rng.choice(["+44 20 %s %s" % (digits(4), digits(4)), "0 15 %s 9%s-%s" % (rng.choice(ddd), digits(4), digits(4)),
                                 "00 351 91%s" % digits(7), "+1 415 %s %s" % (digits(3), digits(4))]),
    "pasted": lambda: "\u202a+55 %s 9%s\u2013%s\u202c" % (rng.choice(ddd), digits(4), digits(4)),
}
for name, make in shapes.items():
    with open("%s/%s.txt" % (work, name), "w") as out:
        for _ in range(200000): out.write(make() + "\n")
PY
measure() {  # BIN FILE → best wall time of 3, seconds
    local best=999
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        "$1/userbuckets" normalize <"$2" >/dev/null
        end=$(date +%s.%N)
        best=$(awk -v s="$start" -v e="$end" -v b="$best" 'BEGIN {print (e - s < b) ? e - s : b}')
    done
    echo "$best"
}
for label in ${UB_BENCH_BEFORE:+before} now; do
    dir=$bin
    [ "$label" = before ] && dir=$UB_BENCH_BEFORE
    empty=$(measure "$dir" "$work/empty.txt")
    line="$label:"
    for path in fast full pasted; do
        t=$(measure "$dir" "$work/$path.txt")
        line+=" $path $(awk -v t="$t" -v e="$empty" 'BEGIN {printf "%.2f", (t - e) / 200000 * 1e6}') µs"
    done
    echo "$line (read+print per line: $(awk -v e="$empty" 'BEGIN {printf "%.2f", e / 200000 * 1e6}') µs)"
done
