import Foundation
import Shared
import Testing

/// Operators' and Supabase's conventions: failures logged at their level with their reason and
/// numbers as numbers, timestamps as PostgREST writes them, migrations that run quietly.
@Suite(.onTheStack, .serialized)
struct ConventionsTests {
    let client = Stack.shared.client()

    /// The log lines of `function` that carry `requestID`.
    func logLines(_ function: String, requestID: String) throws -> [JSON] {
        usleep(100_000)  // the line is written once the response is out
        let text = try String(contentsOfFile: "\(Stack.shared.state)/log/\(function).log", encoding: .utf8)
        return text.split(separator: "\n").suffix(2000).compactMap { line in
            guard line.contains(requestID) else { return nil }
            return try? JSONParser.parse(String(line))
        }
    }

    @Test func aRejectedWebhookIsAWarningWithItsReasonAndNumbersAreNumbers() throws {
        let requestID = "conventions" + String(Int.random(in: 100_000...999_999))
        let result = try client.send(
            "POST", "/functions/v1/chatwoot-webhook",
            headers: ["Content-Type": "application/json", "X-Request-Id": requestID, "X-Chatwoot-Signature": "sha256=00"],
            body: Array(#"{"event":"message_created"}"#.utf8))
        #expect(result.status == 401)
        let lines = try logLines("chatwoot-webhook", requestID: requestID)
        let rejected = try #require(lines.first { $0["msg"] == .string("webhook rejected") })
        #expect(rejected["level"] == .string("warning"))
        #expect(rejected["error"]?.stringValue?.contains("signature") == true, "\(rejected)")
        let access = try #require(lines.first { $0["msg"] == .string("request") })
        #expect(access["level"] == .string("warning"))
        #expect(access["status"] == .integer(401))
        if case .number = access["duration_ms"] {} else { Issue.record("duration_ms is not a number: \(access)") }
    }

    @Test func answersCarryTimestampsAsPostgRESTWritesThem() throws {
        let user = try Fixtures().user()
        let uploaded = try client.post(
            "knowledge-base-storage",
            json: JSON.object([
                "action": .string("upload"),
                "file": .object(["name": .string("t.txt"), "type": .string("text/plain"), "content": .string("b2zDoSwgbXVuZG8=")]),
            ]).serialized(), token: Tokens.user(user))
        #expect(uploaded.status == 200, "\(uploaded.text)")
        let iso = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$"#)
        for key in ["created_at", "updated_at"] {
            let value = try #require(uploaded.json?["data"]?[key]?.stringValue)
            #expect(value.wholeMatch(of: iso) != nil, "\(key): \(value)")
        }
    }

    @Test func migrationsRunQuietly() throws {
        let output = try Stack.shared.shell(#""$UB_BIN/userbuckets" migrate --directory "$UB_ROOT/db/migrations" 2>&1"#).output
        #expect(!output.contains("NOTICE"), "\(output)")
        #expect(output.contains(#""applied":[]"#), "\(output)")
    }
}

extension ConventionsTests {
    /// nginx/production.conf as shipped (its includes pointed at this stack, a self-signed
    /// certificate, a loopback port instead of 443): unknown paths get a JSON 404 and the
    /// functions answer over TLS.
    @Test func theProductionServerBlockServesJSONOverTLS() throws {
        let port = Stack.shared.port + 7
        let script = #"""
            set -e
            dir="$UB_STATE/production-nginx"
            rm -rf "$dir" && mkdir -p "$dir/logs"
            openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
                -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
            sed -e "s|/etc/userbuckets/nginx/functions.conf|$UB_STATE/nginx/functions.conf|" \
                -e "s|/etc/userbuckets/nginx/|$UB_ROOT/nginx/|g" \
                -e "s|listen 443 ssl http2;|listen 127.0.0.1:\#(port) ssl; ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem;|" \
                "$UB_ROOT/nginx/production.conf" >"$dir/production.conf"
            cat >"$dir/nginx.conf" <<CONF
            pid $dir/nginx.pid;
            error_log $dir/logs/error.log warn;
            events { worker_connections 64; }
            http { access_log off; client_body_temp_path $dir/body; fastcgi_temp_path $dir/fastcgi; include $dir/production.conf; }
            CONF
            nginx -q -t -c "$dir/nginx.conf" -p "$dir/" 2>&1
            nginx -q -c "$dir/nginx.conf" -p "$dir/" -g "daemon on;"
            trap 'kill -QUIT $(cat "$dir/nginx.pid")' EXIT
            for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:\#(port)/" && break; sleep 0.1; done
            curl -sk -D - "https://127.0.0.1:\#(port)/no/such/path"
            echo
            curl -sk -o /dev/null -w "fn=%{http_code}\n" -X POST -H "Content-Type: application/json" \
                --data '{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}' \
                "https://127.0.0.1:\#(port)/functions/v1/user-bucket-service"
            """#
        let output = try Stack.shared.shell(script).output
        #expect(output.contains("HTTP/1.1 404"), "\(output)")
        #expect(output.lowercased().contains("content-type: application/json"), "\(output)")
        #expect(output.contains(#"{"success":false,"error":"Not found"}"#), "\(output)")
        #expect(output.contains("fn=401") || output.contains("fn=200"), "\(output)")
    }
}
