import Foundation
import Shared
import Testing

/// Metrics summed over every worker process, through the local-only scrape path.
@Suite(.onTheStack, .serialized)
struct MetricsTests {
    let client = Stack.shared.client()

    func scrape() throws -> [String: Double] {
        let result = try client.send("GET", "/functions/v1/_metrics")
        #expect(result.status == 200)
        var values: [String: Double] = [:]
        for line in result.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    @Test func requestsOverEveryWorkerAddUpExactlyAndSurviveARestart() throws {
        let series = #"userbuckets_requests_total{function="user-bucket-service",status="200"}"#
        let before = try scrape()[series] ?? 0
        for _ in 0..<40 {
            let result = try client.post(
                "user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}"#, token: Tokens.anon)
            #expect(result.status == 200)
        }
        let after = try scrape()
        #expect(after[series] == before + 40)
        #expect((after[#"userbuckets_request_duration_seconds_count{function="user-bucket-service"}"#] ?? 0) >= 40)
        #expect(after.keys.contains { $0.hasPrefix("userbuckets_request_duration_seconds_bucket{function=\"user-bucket-service\",le=") })
        // Every worker served some of them (the files are per process).
        let files = try FileIO.list(directory: Stack.shared.state + "/metrics").filter { $0.hasPrefix("user-bucket-service-") }
        #expect(files.count >= 4)
        // A worker killed and replaced: nothing goes back.
        try Stack.shared.shell(
            #"""
            pool=$(cat "$UB_STATE/run/user-bucket-service.pid")
            kill -KILL $(cat /proc/$pool/task/$pool/children | awk '{print $1}')
            sleep 0.5
            """#)
        let afterRestart = try scrape()
        #expect((afterRestart[series] ?? 0) >= before + 40)
        // The new workers took over the killed ones' files: no more files than before.
        let filesAfter = try FileIO.list(directory: Stack.shared.state + "/metrics").filter { $0.hasPrefix("user-bucket-service-") }
        #expect(filesAfter.count == files.count, "\(files) → \(filesAfter)")
        // Identification and bucket outcomes are counted too.
        let user = try Fixtures().user()
        _ = try client.post("user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        let counted = try scrape()
        #expect((counted[#"userbuckets_bucket_ensures_total{kind="user",outcome="created"}"#] ?? 0) >= 1)
        #expect((counted[#"userbuckets_storage_operations_total{operation="create_bucket",outcome="ok"}"#] ?? 0) >= 1)
        // Webhook outcomes, rejections included.
        let rejectedSeries = #"userbuckets_webhook_messages_total{outcome="rejected",status="401"}"#
        let rejectedBefore = counted[rejectedSeries] ?? 0
        let unsigned = try client.send(
            "POST", "/functions/v1/chatwoot-webhook", headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        #expect(unsigned.status == 401)
        #expect(try scrape()[rejectedSeries] == rejectedBefore + 1)
        // The queue's depth by state, read from the database at scrape time.
        let queued = try Int(Fixtures().rows("SELECT count(*) FROM userbuckets_jobs WHERE status = 'queued'").first?[0] ?? "") ?? -1
        #expect(counted[#"userbuckets_jobs_in_queue{state="queued"}"#] == Double(queued))
    }

    @Test func webhookOutcomesAreCountedByKind() throws {
        let webhook = ChatwootWebhookTests()
        let series = { (labels: String) in "userbuckets_webhook_messages_total{\(labels)}" }
        let before = try scrape()
        let message = try ChatwootWebhookTests.message("01_message_created_incoming_text.json", phone: Fixtures.randomMobile())
        #expect(try webhook.deliver(message).status == 200)
        #expect(try webhook.deliver(message).status == 200)  // the redelivery
        #expect(try webhook.deliver(try ChatwootWebhookTests.message("05_message_created_private_note.json")).status == 200)
        #expect(try webhook.deliver(try ChatwootWebhookTests.message("04_message_created_outgoing_agent_reply.json")).status == 200)
        let after = try scrape()
        for (labels, added) in [
            (#"outcome="stored""#, 1.0), (#"outcome="duplicate""#, 1), (#"outcome="skipped",reason="private""#, 1),
            (#"outcome="skipped",reason="not_incoming""#, 1),
        ] {
            #expect(after[series(labels)] == (before[series(labels)] ?? 0) + added, "\(labels)")
        }
    }

    /// The scrape passes `promtool check metrics` (HELP and TYPE for every family, histogram
    /// buckets in `le` order).
    /// nginx keeps its connections to a short-request pool at the concurrency callers bring: 64
    /// requests in flight open about 64 connections, not one per request (an upstream
    /// `keepalive` below the requests in flight closes the surplus idle connections and opens
    /// them again at once, a connect, accept and close for a large share of requests).
    @Test func sixtyFourRequestsInFlightKeepTheirPoolConnections() throws {
        let connections = #"userbuckets_fastcgi_connections_total{function="user-bucket-service"}"#
        let served = #"userbuckets_requests_total{function="user-bucket-service",status="200"}"#
        let before = try scrape()
        let result = try Stack.shared.shell(
            #"""
            \#(normalizePhoneLoadScript("kept"))
            wrk -t 2 -c 64 -d 3s -s "$UB_STATE/kept.lua" "$UB_BASE_URL/functions/v1/user-bucket-service"
            """#)
        let after = try scrape()
        #expect(!result.output.contains("Non-2xx"), "\(result.output)")
        let requests = (after[served] ?? 0) - (before[served] ?? 0)
        let opened = (after[connections] ?? 0) - (before[connections] ?? 0)
        #expect(requests >= 1000, "\(result.output)")
        #expect((after[connections] ?? 0) >= 1, "connections are counted")
        // 64 at most at once (fewer when kept from before), each reopened after at most nginx's
        // `keepalive_requests`. With `keepalive 32` this saw 237 for 31,316 requests.
        #expect(opened <= 64 + requests / 1000, "\(opened) connections for \(requests) requests")
    }

    @Test func theScrapePassesPromtool() throws {
        _ = try client.post("user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}"#, token: Tokens.anon)
        let result = try Stack.shared.shell(
            #"command -v promtool >/dev/null || { echo "promtool missing"; exit 3; }; curl -s "$UB_BASE_URL/functions/v1/_metrics" | promtool check metrics 2>&1"#
        )
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.isEmpty, "\(result.output)")
    }

    @Test func theScrapePathIsLocalOnly() throws {
        let config = try String(contentsOfFile: Stack.shared.values["UB_ROOT"]! + "/nginx/locations.conf", encoding: .utf8)
        #expect(config.contains("location = /functions/v1/_metrics {\n    allow 127.0.0.1;\n    allow ::1;\n    deny all;"))
    }

    @Test func theStatusPageShowsTheFiguresInHeadlessChromium() throws {
        for _ in 0..<5 {
            _ = try client.post(
                "user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}"#, token: Tokens.anon)
        }
        // The page's own sums: requests of every status, buckets created of every kind.
        let figures = try scrape()
        let requests = Int(figures.filter { $0.key.hasPrefix(#"userbuckets_requests_total{function="user-bucket-service","#) }.values.reduce(0, +))
        let created = Int(
            figures.filter { $0.key.hasPrefix("userbuckets_bucket_ensures_total{") && $0.key.contains(#"outcome="created""#) }.values.reduce(0, +))
        let result = try Stack.shared.shell(
            #"""
            chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$UB_STATE/chromium"                 --virtual-time-budget=3000 --enable-logging=stderr --v=0 --dump-dom "$UB_BASE_URL/functions/v1/_status"                 2>"$UB_STATE/log/chromium.err"
            echo "--stderr--"
            grep -E 'CONSOLE|Uncaught' "$UB_STATE/log/chromium.err" || true
            """#)
        let parts = result.output.components(separatedBy: "--stderr--")
        let dom = parts[0]
        #expect(dom.contains("<h1>userbuckets"), "\(result.output.prefix(500))")
        #expect(dom.contains("updated "), "the page fetched the metrics: \(dom.prefix(2000))")
        #expect(dom.contains(#"<tr id="fn-user-bucket-service"><td>user-bucket-service</td><td>\#(requests)</td>"#), "\(dom)")
        #expect(dom.contains(#"<td class="big" id="buckets-created">\#(created)</td>"#), "\(dom)")
        // The verdict from _health, what runs, identification by outcome as the scrape counts it
        // (an unknown number is the contact fallback, not a failure), the rate tiles.
        #expect(dom.contains(#"<div id="verdict" class="ok">All well"#), "\(dom.prefix(3000))")
        #expect(dom.contains("storage backend \(Stack.shared.values["STORAGE_BACKEND"] ?? "filesystem") · version "), "\(dom.prefix(3000))")
        let fallback = Int(figures.filter { $0.key == #"userbuckets_identifications_total{outcome="none"}"# }.values.reduce(0, +))
        #expect(dom.contains(#"<tr id="ident-none"><td>contact fallback (unknown number)</td><td>\#(fallback)</td>"#), "\(dom)")
        #expect(!dom.contains("identification success"))
        #expect(dom.contains(#"id="tile-requests""#) && dom.contains(#"id="tile-queue""#), "\(dom)")
        #expect(dom.contains(#"<table id="failures">"#))
        // Contact merges: the gauge of contact buckets by state, as the scrape has it.
        let open = Int(figures.filter { $0.key == #"userbuckets_contact_buckets{state="open"}"# }.values.reduce(0, +))
        #expect(dom.contains(#"<td class="big" id="contact-buckets">\#(open) / "#), "\(dom)")
        #expect(parts.count == 2 && parts[1].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "console: \(parts.last ?? "")")
    }
}
