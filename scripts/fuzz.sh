#!/usr/bin/env bash
# Fuzzes the two parsers that read untrusted input on every request, with libFuzzer and
# AddressSanitizer: the JSON parser (with its serializer) and the phone normalizer. Not part of
# the test command (its findings become regression tests there). Usage: scripts/fuzz.sh [SECONDS
# per target, default 60]. Stops at the first finding and prints the input that caused it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
work="$root/.fuzz"
mkdir -p "$work/json-corpus" "$work/phone-corpus" "$work/module"
cd "$work"

shared="$root/Sources/Shared"
flags=(-O -parse-as-library -sanitize=fuzzer,address -module-name Fuzz)
swiftc "${flags[@]}" "$shared"/JSON/*.swift "$shared/HTTP/Array+UTF8.swift" "$root/Tests/Fuzz/JSONFuzzer.swift" \
    -o json-fuzzer 2>&1 | grep -v "Cannot export local symbol" || true
clang++ -O1 -fsanitize=fuzzer-no-link,address -I "$shared/CLibraries/CPhoneNumber/include" \
    -c "$shared/CLibraries/CPhoneNumber/PhoneNumberBridge.cpp" -o phone-bridge.o
clang++ -O1 -fsanitize=fuzzer-no-link,address -I "$shared/CLibraries/CPhoneNumber/include" \
    -c "$shared/CLibraries/CPhoneNumber/TextNormalization.cpp" -o text-normalization.o
printf 'module CPhoneNumber {\n  header "%s"\n  export *\n}\n' "$shared/CLibraries/CPhoneNumber/include/CPhoneNumber.h" \
    >module/module.modulemap
swiftc "${flags[@]}" -I module "$shared"/Phone/*.swift "$shared/Configuration/Environment.swift" \
    "$root/Tests/Fuzz/PhoneFuzzer.swift" phone-bridge.o text-normalization.o -lphonenumber -licuuc -lstdc++ -o phone-fuzzer 2>&1 |
    grep -v "Cannot export local symbol" || true

# Seeds: the fixtures' JSON, and numbers in the shapes callers send.
find "$root/../shared/fixtures" "$root/Tests/SharedTests/Fixtures" -name '*.json' -size -20k -exec cp {} json-corpus/ \; 2>/dev/null || true
for number in "+55 (11) 98765-4321" "5511987654321" "whatsapp:+5511987654321" "5511987654321@s.whatsapp.net" \
    "5511987654321:12@s.whatsapp.net" "011 55 11 98765 4321" "0055 11 3456-7890" "(11) 98765-4321" "11 3456 7890" \
    "+1 (415) 555-2671" "+79912345678" "tel:+44 20 7946 0958" "551187654321" "0 12 44 9665-3804" "(0xx11) 8765-4321" \
    $'\u202a+55 11 98765\u20134321\u202c' $'\uff0b\uff15\uff15 \uff11\uff11 98765\u22124321'; do
    printf '%s' "$number" >"phone-corpus/$(printf '%s' "$number" | md5sum | cut -c1-12)"
done

status=0
for target in json phone; do
    echo "== $target: ${seconds} s"
    if ! SWIFT_BACKTRACE=enable=no "./$target-fuzzer" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$work/$target-" "$target-corpus" >"$target.log" 2>&1; then
        status=1
        grep -E "SUMMARY|Fatal error|precondition|Test unit written" "$target.log" || tail -n 20 "$target.log"
        for finding in "$work/$target-"crash-* "$work/$target-"leak-* "$work/$target-"timeout-*; do
            [ -e "$finding" ] && { echo "input ($finding):"; od -c "$finding" | head -n 8; }
        done
    else
        grep -E "DONE|stat::number_of_executed_runs" "$target.log" | tail -n 2
    fi
done
exit $status
