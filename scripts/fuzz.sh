#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted input, with libFuzzer and AddressSanitizer: the JSON
# parser (with its serializer), the phone normalizer, the JWT verifier and the multipart/form-data
# parser. Not part of
# the test command (its findings become regression tests there). Usage: scripts/fuzz.sh [SECONDS
# per target, default 60]. Stops at the first finding and prints the input that caused it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
work="$root/.fuzz"
mkdir -p "$work/json-corpus" "$work/phone-corpus" "$work/jwt-corpus" "$work/multipart-corpus" "$work/module" "$work/module-ssl" "$work/module-curl"
cd "$work"

shared="$root/Sources/Shared"
flags=(-O -parse-as-library -sanitize=fuzzer,address -module-name Fuzz -package-name userbuckets)
swiftc "${flags[@]}" "$shared"/JSON/*.swift "$root/Tests/Fuzz/JSONFuzzer.swift" \
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

printf 'module COpenSSL [system] {\n  header "%s"\n  link "ssl"\n  link "crypto"\n  export *\n}\n' \
    "$shared/CLibraries/COpenSSL/shim.h" >module-ssl/module.modulemap
printf 'module CCurl [system] {\n  header "%s"\n  link "curl"\n  export *\n}\n' "$shared/CLibraries/CCurl/shim.h" >module-curl/module.modulemap
# The verifier with what it reads tokens with (JSON, base64url, HMAC, public keys, the key sets).
swiftc "${flags[@]}" -I module-ssl -I module-curl "$shared"/Auth/{JWTVerifier,JSONWebKeySet,RemoteJSONWebKeySet,Caller,UserID}.swift \
    "$shared"/Crypto/*.swift "$shared"/JSON/*.swift "$shared/HTTP/Substring+Trimming.swift" \
    "$shared"/HTTPClient/{HTTPClient,CurlHTTPClient}.swift "$shared/Configuration/Environment.swift" "$shared/Errors/ServiceError.swift" \
    "$shared/HTTP/HTTPStatus.swift" "$shared/Postgres/PostgresError.swift" "$root/Tests/Fuzz/JWTFuzzer.swift" \
    -lssl -lcrypto -lcurl -o jwt-fuzzer 2>&1 | grep -v "Cannot export local symbol" || true
swiftc "${flags[@]}" "$shared/HTTP/MultipartFormData.swift" "$shared/HTTP/HTTPStatus.swift" "$shared/Errors/ServiceError.swift" \
    "$shared/Postgres/PostgresError.swift" "$shared"/JSON/*.swift "$shared/HTTP/Substring+Trimming.swift" \
    "$root/Tests/Fuzz/MultipartFuzzer.swift" -o multipart-fuzzer 2>&1 | grep -v "Cannot export local symbol" || true

# Seeds: the fixtures' JSON, numbers in the shapes callers send, the JWT vectors, multipart bodies.
find "$root/Tests/Fixtures" -name '*.json' -size -20k -exec cp {} json-corpus/ \; 2>/dev/null || true
for number in "+55 (11) 98765-4321" "5511987654321" "whatsapp:+5511987654321" "5511987654321@s.whatsapp.net" \
    "5511987654321:12@s.whatsapp.net" "011 55 11 98765 4321" "0055 11 3456-7890" "(11) 98765-4321" "11 3456 7890" \
    "+1 (415) 555-2671" "+79912345678" "tel:+44 20 7946 0958" "551187654321" "0 12 44 9665-3804" "(0xx11) 8765-4321" \
    $'\u202a+55 11 98765\u20134321\u202c' $'\uff0b\uff15\uff15 \uff11\uff11 98765\u22124321'; do
    printf '%s' "$number" >"phone-corpus/$(printf '%s' "$number" | md5sum | cut -c1-12)"
done

grep -o '"ey[A-Za-z0-9_.-]*"' "$root/Tests/Fixtures/supabase/jwt_test_vectors.json" 2>/dev/null | tr -d '"' |
    while read -r token; do printf '%s' "$token" >"jwt-corpus/$(printf '%s' "$token" | md5sum | cut -c1-12)"; done
printf 'XyZ\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name="userId"\r\n\r\nu\r\n--XyZ--\r\n' \
    >multipart-corpus/seed

status=0
for target in json phone jwt multipart; do
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
