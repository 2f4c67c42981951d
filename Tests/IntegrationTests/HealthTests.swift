import Foundation
import Shared
import Testing

/// `/functions/v1/_health` and the scrape's gauges of what runs, with every pool up and with
/// one down.
@Suite(.onTheStack, .serialized)
struct HealthTests {
    let client = Stack.shared.client()

    func health() throws -> HTTPTestClient.Result {
        try client.send("GET", "/functions/v1/_health")
    }

    @Test func healthSaysWhatRunsAndTheScrapeCountsIt() throws {
        let answer = try health()
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json?["status"] == .string("ok"))
        #expect(answer.json?["database"]?["reachable"] == .bool(true))
        #expect(answer.json?["storage"]?["reachable"] == .bool(true))
        #expect(answer.json?["storage"]?["backend"] == .string(Stack.shared.values["STORAGE_BACKEND"] ?? "filesystem"))
        #expect(answer.json?["version"]?.stringValue?.isEmpty == false)
        #expect((answer.json?["uptimeSeconds"]?.intValue ?? -1) >= 0)
        let workers = Int(Stack.shared.values["UB_WORKERS"] ?? "") ?? 0
        for pool in ["user-bucket-service", "create-user-bucket", "chatwoot-webhook", "knowledge-base-storage"] {
            #expect(answer.json?["pools"]?[pool]?["configured"]?.intValue == workers, "\(pool)")
            #expect(answer.json?["pools"]?[pool]?["live"]?.intValue == workers, "\(pool)")
        }
        let scrape = try client.send("GET", "/functions/v1/_metrics").text
        #expect(scrape.contains("userbuckets_build_info{version=\""))
        #expect(scrape.contains("userbuckets_workers_up{pool=\"user-bucket-service\"} \(workers)\n"), "\(scrape)")
        #expect(scrape.contains("userbuckets_workers_configured{pool=\"chatwoot-webhook\"} \(workers)\n"))
    }

    /// The pool that answers health first is killed: another pool answers, 503, naming it.
    @Test func healthAnswersWithAPoolDown() throws {
        let stack = Stack.shared
        let pid = try String(contentsOfFile: "\(stack.state)/run/user-bucket-service.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let workers = try stack.workers(of: "user-bucket-service")
        try stack.shell("kill -KILL \(pid) \(workers.map(String.init).joined(separator: " ")) 2>/dev/null; sleep 0.3")
        defer {
            _ = try? stack.shell(
                #"""
                rm -f "$UB_STATE/run/user-bucket-service.sock"
                spawn-fcgi -n -s "$UB_STATE/run/user-bucket-service.sock" -M 0666 -b 1024 -- \
                    /usr/bin/multiwatch -f "$UB_WORKERS" -r 1000000000 -t 1000 -s TERM -- "$UB_BIN/user-bucket-service" \
                    >>"$UB_STATE/log/user-bucket-service.log" 2>&1 </dev/null &
                echo $! >"$UB_STATE/run/user-bucket-service.pid"
                for _ in $(seq 100); do [ -S "$UB_STATE/run/user-bucket-service.sock" ] && break; sleep 0.05; done
                sleep 0.5
                """#)
        }
        // A request for the dead pool is nginx's own answer, counted as such.
        let scrape = { try client.send("GET", "/functions/v1/_metrics").text }
        let line = #"userbuckets_nginx_answers_total{function="user-bucket-service",status="503"} "#
        let before = try scrape().split(separator: "\n").first { $0.hasPrefix(line) }.flatMap { Int($0.dropFirst(line.count)) } ?? 0
        let refused = try client.post("user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"1"}"#, token: Tokens.anon)
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.json?["error"] == .string("Service unavailable"))
        usleep(200_000)
        let after = try scrape().split(separator: "\n").first { $0.hasPrefix(line) }.flatMap { Int($0.dropFirst(line.count)) } ?? 0
        #expect(after == before + 1)

        let answer = try health()
        #expect(answer.status == 503, "\(answer.text)")
        #expect(answer.json?["status"] == .string("degraded"))
        #expect(answer.json?["pools"]?["user-bucket-service"]?["live"]?.intValue == 0)
        #expect(answer.json?["pools"]?["user-bucket-service"]?["ok"] == .bool(false))
        #expect(answer.json?["pools"]?["create-user-bucket"]?["ok"] == .bool(true))
        #expect(answer.json?["database"]?["reachable"] == .bool(true))
    }
}

extension HealthTests {
    /// What nginx answers itself — a body over its limit, an unknown path, a pool that does not
    /// answer — reaches the scrape, by function and status.
    @Test func requestsNginxAnswersItselfAreCounted() throws {
        func counted(_ function: String, _ status: Int) throws -> Int {
            let scrape = try client.send("GET", "/functions/v1/_metrics").text
            let prefix = #"userbuckets_nginx_answers_total{function="\#(function)",status="\#(status)"} "#
            return scrape.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
        }
        let tooLargeBefore = try counted("user-bucket-service", 413)
        let unknownBefore = try counted("other", 404)
        let big = try client.send(
            "POST", "/functions/v1/user-bucket-service", headers: ["Content-Type": "application/json"],
            body: [UInt8](repeating: UInt8(ascii: " "), count: 2 << 20))
        #expect(big.status == 413)
        #expect(try client.send("GET", "/functions/v1/no-such-function").status == 404)
        usleep(200_000)
        #expect(try counted("user-bucket-service", 413) == tooLargeBefore + 1)
        #expect(try counted("other", 404) == unknownBefore + 1)
        // Answered by a function, not by nginx: not counted here.
        let ok = try client.post("user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"1"}"#, token: Tokens.anon)
        #expect(ok.status == 200)
        #expect(try counted("user-bucket-service", 200) == 0)
    }
}
