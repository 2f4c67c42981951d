import Foundation
import Shared
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A worker's own life cycle, outside the pool.
@Suite(.onTheStack, .serialized)
struct WorkerLifecycleTests {
    /// SIGQUIT too: multiwatch and nginx use it as a graceful stop, and left to the Swift runtime
    /// it prints a crash report and leaves the worker running with a spinning thread.
    @Test(arguments: ["TERM", "QUIT"]) func aStopSignalStopsAWorkerCleanly(signal: String) throws {
        let result = try Stack.shared.shell(
            #"""
            \#(startWorker("lifecycle-\(signal)"))
            kill -\#(signal) "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then echo "still running"; kill -KILL "$pid"; fi
            wait "$pid"
            echo "exit=$?"
            grep -c 'crashed' "$log"
            grep -c '"msg":"worker stopped"' "$log"
            """#)
        #expect(result.output.contains("exit=0"), "\(result.output)")
        #expect(!result.output.contains("still running"))
        #expect(result.output.hasSuffix("0\n1\n"), "no crash report, one clean stop: \(result.output)")
    }

    /// nginx keeps its connections (fastcgi_keep_conn): one worker with one thread serves a new
    /// connection while another sits idle and kept, serves the kept one again, and carries on
    /// after the client closes it. (libfcgi's own accept loop would wait on the idle one.)
    @Test func anIdleKeptConnectionDoesNotHoldTheWorker() throws {
        let result = try Stack.shared.shell(
            #"""
            \#(startWorker("keepalive"))
            timeout 20 python3 "$UB_ROOT/Tests/IntegrationTests/Support/fcgi_keepalive_client.py" "$sock" \
                '{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}'
            echo "client=$?"
            kill -TERM "$pid"; wait "$pid"
            """#)
        let lines = result.output.split(separator: "\n")
        for step in ["a1", "b1", "a2", "b2"] {
            let line = lines.first { $0.hasPrefix(step + " ") }.map(String.init) ?? ""
            // normalize-phone needs a token: 401 is the worker answering, which is the point.
            #expect(line.contains("Status: 401"), "\(step): \(result.output)")
            #expect((Double(line.split(separator: " ").last ?? "9") ?? 9) < 1, "\(step) answered at once: \(line)")
        }
        #expect(result.output.contains("client=0"), "\(result.output)")
    }

    @Test func aWorkerThatCannotStartSaysWhyAndExits() throws {
        let result = try Stack.shared.shell(
            #"""
            sock="$UB_STATE/run/broken.sock"; log="$UB_STATE/log/broken.log"; rm -f "$sock"
            GCS_BUCKET_PREFIX='Not_Valid' timeout 5 spawn-fcgi -n -s "$sock" -- "$UB_BIN/user-bucket-service" 2>"$log"
            echo "exit=$?"
            cat "$log"
            """#)
        #expect(result.output.contains("exit=1"))
        #expect(result.output.contains("worker could not start"))
        #expect(result.output.contains("GCS_BUCKET_PREFIX"))
    }
}

/// `UB_THREADS`: several serving threads in one worker, each with its own connection.
@Suite(.onTheStack, .serialized)
struct ThreadedWorkerTests {
    @Test func aThreadedWorkerServesConcurrentRequestsAndStops() throws {
        let user = try Fixtures().user()
        let body = #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#
        let result = try Stack.shared.shell(
            #"""
            \#(startWorker("threaded", environment: "UB_THREADS=3"))
            # The serving threads start once the process is up (startWorker's wait is a guess).
            for _ in $(seq 100); do
                threads=$(awk '/^Threads/ {print $2}' /proc/$pid/status)
                [ "${threads:-0}" -ge 3 ] && break
                sleep 0.05
            done
            echo "threads=$threads"
            body='\#(body)'
            for i in $(seq 6); do
                ( REQUEST_METHOD=POST DOCUMENT_URI=/functions/v1/user-bucket-service CONTENT_TYPE=application/json \
                  CONTENT_LENGTH=${#body} HTTP_AUTHORIZATION="Bearer \#(Tokens.serviceRole)" \
                  cgi-fcgi -bind -connect "$sock" <<<"$body" | head -n 1 ) &
            done
            wait $(jobs -p | grep -v "^$pid$")
            kill -TERM "$pid"
            wait "$pid"
            echo "exit=$?"
            """#)
        let threads = result.output.split(separator: "\n").first { $0.hasPrefix("threads=") }.flatMap { Int($0.dropFirst(8)) } ?? 0
        #expect(threads >= 3)
        #expect(result.output.components(separatedBy: "Status: 200 OK").count - 1 == 6, "\(result.output)")
        #expect(result.output.contains("exit=0"))
    }
}

/// A new build rolled out by restarting every worker of every pool, one at a time, under load.
@Suite(.onTheStack, .serialized)
struct RollingRestartTests {
    @Test func aRollingRestartUnderLoadFailsNoRequest() throws {
        let result = try Stack.shared.shell(
            #"""
            \#(normalizePhoneLoadScript("roll"))
            wrk -t 2 -c 8 -d 6s -s "$UB_STATE/roll.lua" "$UB_BASE_URL/functions/v1/user-bucket-service" >"$UB_STATE/roll.out" 2>&1 &
            load=$!
            sleep 1
            before=$(cat /proc/$(cat "$UB_STATE/run/user-bucket-service.pid")/task/*/children | tr '\n' ' ')
            "$UB_ROOT/scripts/rolling-restart.sh" "$UB_STATE"
            after=$(cat /proc/$(cat "$UB_STATE/run/user-bucket-service.pid")/task/*/children | tr '\n' ' ')
            wait $load
            cat "$UB_STATE/roll.out"
            echo "before=$before"
            echo "after=$after"
            """#)
        let output = result.output
        #expect(output.contains("user-bucket-service: 4 workers restarted"), "\(output)")
        #expect(output.contains("requests in"), "\(output)")
        #expect(!output.contains("Non-2xx"), "\(output)")
        // No answer lost on the way back: no read errors or timeouts. (wrk's own connects to
        // nginx, which is not restarted, are not the workers' doing.)
        let socketErrors = output.split(separator: "\n").first { $0.contains("Socket errors") }.map(String.init) ?? ""
        #expect(socketErrors.isEmpty || socketErrors.contains("read 0, write 0, timeout 0"), "\(output)")
        let before = output.split(separator: "\n").first { $0.hasPrefix("before=") }?.dropFirst(7).split(separator: " ") ?? []
        let after = output.split(separator: "\n").first { $0.hasPrefix("after=") }?.dropFirst(6).split(separator: " ") ?? []
        #expect(!before.isEmpty)
        #expect(Set(before).isDisjoint(with: Set(after)), "every worker is new: \(before) → \(after)")
    }
}

/// Shell lines that start one `user-bucket-service` worker outside the pools on
/// `$UB_STATE/run/<name>.sock` (its stderr in `log/<name>.log`), leave its pid in `$pid`, its
/// socket path in `$sock` and its log in `$log`, and wait until it accepts.
private func startWorker(_ name: String, environment: String = "") -> String {
    #"""
    sock="$UB_STATE/run/\#(name).sock"; log="$UB_STATE/log/\#(name).log"; rm -f "$sock"
    \#(environment) spawn-fcgi -n -s "$sock" -- "$UB_BIN/user-bucket-service" 2>"$log" &
    pid=$!
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
    sleep 0.3
    """#
}
