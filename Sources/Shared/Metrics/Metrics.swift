import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Counters and histograms shared by every worker process on a host: each process adds to its
/// own memory-mapped file in `UB_METRICS_DIR`, and a scrape sums all the files — also those of
/// processes that have since exited, so totals never go back when a worker restarts.
///
/// Series names carry their labels (`userbuckets_requests_total{function="x",status="200"}`).
/// Durations go into histograms in microseconds and are shown in seconds.
package final class Metrics: Sendable {
    /// The process's metrics; a no-op until `start` (tools and tests that do not count).
    package static let shared = Metrics()

    private struct State {
        var file: MetricsFile?
        var slots: [String: Int] = [:]
        var directory: String?
    }

    private let state = Mutex<State>(State())

    /// Each family's `# HELP` line.
    static let help: [String: String] = [
        "userbuckets_requests_total": "Requests answered, by function and status.",
        "userbuckets_request_duration_seconds": "Time from a request read to its answer written, by function.",
        "userbuckets_identifications_total": "Phone identifications, by outcome (the step that matched, none, ambiguous).",
        "userbuckets_bucket_ensures_total": "Bucket ensures, by kind (user, contact) and outcome (existing, created, failed).",
        "userbuckets_bucket_ensure_duration_seconds": "Time to ensure a bucket, by kind.",
        "userbuckets_webhook_messages_total": "Chatwoot deliveries, by outcome (stored, duplicate, skipped with reason, rejected with status).",
        "userbuckets_jobs_total": "Job attempts ended, by kind and outcome.",
        "userbuckets_job_duration_seconds": "Time one job attempt took, by kind.",
        "userbuckets_storage_operations_total": "Storage calls, by operation and outcome.",
        "userbuckets_worker_starts_total": "Worker processes started, by function.",
        "userbuckets_identity_cache_lookups_total":
            "Identification cache lookups, by result (hit, miss), added every 64 lookups of a serving thread.",
        "userbuckets_fastcgi_connections_total":
            "FastCGI connections accepted from nginx, by function (kept connections: about one per connection, not per request).",
        "userbuckets_merges_total": "Contact-bucket merge attempts ended, by outcome (merged, retry, failed, ambiguous, unlinked, ...).",
        "userbuckets_merge_objects_moved_total": "Objects moved from contact buckets into users' buckets by merges.",
    ]

    /// Seconds: the latency buckets of every histogram.
    package static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Starts counting for this process into `<directory>/<name>-<pid>.metrics`. A worker of the
    /// same name that has exited hands its file over first (renamed to this process's name, its
    /// values kept), so the folder holds about as many files as workers ever ran at once, not one
    /// per worker ever started.
    package func start(directory: String, name: String) {
        _ = try? FileIO.makeDirectories(directory)
        let path = "\(directory)/\(name)-\(getpid()).metrics"
        if access(path, F_OK) != 0 { Self.takeOverExitedFile(in: directory, name: name, to: path) }
        let file = MetricsFile(path: path)
        var slots: [String: Int] = [:]
        for (index, series) in (file?.series ?? []).enumerated() where slots[series] == nil { slots[series] = index }
        state.withLock {
            $0.file = file
            $0.directory = directory
            $0.slots = slots
        }
    }

    /// Renames the file of one exited process called `name` to `path`. Two starting workers
    /// cannot both take one file: only one rename of it succeeds.
    private static func takeOverExitedFile(in directory: String, name: String, to path: String) {
        let prefix = name + "-"
        for entry in (try? FileIO.list(directory: directory)) ?? [] where entry.hasPrefix(prefix) && entry.hasSuffix(".metrics") {
            guard let pid = Int32(entry.dropFirst(prefix.count).dropLast(".metrics".count)), pid != getpid() else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }  // alive, or not ours to judge
            if rename(directory + "/" + entry, path) == 0 { return }
        }
    }

    /// Reads `UB_METRICS_DIR` (unset: no metrics).
    package func start(environment: Environment, name: String) {
        if let directory = environment.get("UB_METRICS_DIR") { start(directory: directory, name: name) }
    }

    package func increment(_ series: String, by value: UInt64 = 1) {
        state.withLock { state in
            guard let slot = Self.slot(series, in: &state) else { return }
            state.file?.add(value, at: slot)
        }
    }

    /// The slot of `series`, for callers that count the same series often (`add(_:slot:)`
    /// then skips building and hashing its name); nil when metrics are off or full.
    package func slot(_ series: String) -> Int? {
        state.withLock { Self.slot(series, in: &$0) }
    }

    package func add(_ value: UInt64 = 1, slot: Int) {
        state.withLock { $0.file?.add(value, at: slot) }
    }

    private static func slot(_ series: String, in state: inout State) -> Int? {
        guard let file = state.file else { return nil }
        if let known = state.slots[series] { return known }
        guard let claimed = file.claim(series) else { return nil }
        state.slots[series] = claimed
        return claimed
    }

    /// The slots of one histogram with fixed labels, resolved once.
    package struct HistogramSlots: Sendable {
        let buckets: [Int?]
        let count: Int?
        let sum: Int?

        package init(_ metrics: Metrics, name: String, labels: String) {
            let separator = labels.isEmpty ? "" : ","
            buckets = (0...Metrics.buckets.count).map { metrics.slot("\(name)_bucketraw{\(labels)\(separator)i=\"\($0)\"}") }
            count = metrics.slot("\(name)_count{\(labels)}")
            sum = metrics.slot("\(name)_sum_us{\(labels)}")
        }

        package func observe(_ metrics: Metrics, seconds: Double) {
            let bucket = Metrics.buckets.firstIndex { seconds <= $0 } ?? Metrics.buckets.count
            if let slot = buckets[bucket] { metrics.add(slot: slot) }
            if let count { metrics.add(slot: count) }
            if let sum { metrics.add(UInt64(max(0, seconds * 1_000_000)), slot: sum) }
        }
    }

    /// Adds one observation of `seconds` to the histogram `name` with `labels` (`a="b",c="d"`):
    /// three adds (its bucket, the count, the sum); buckets are made cumulative when shown.
    package func observe(_ name: String, labels: String, seconds: Double) {
        let bucket = Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count
        let separator = labels.isEmpty ? "" : ","
        increment("\(name)_bucketraw{\(labels)\(separator)i=\"\(bucket)\"}")
        increment("\(name)_count{\(labels)}")
        increment("\(name)_sum_us{\(labels)}", by: UInt64(max(0, seconds * 1_000_000)))
    }

    /// The Prometheus text exposition of every process's files in the directory.
    /// The processes of this host counting now, by name (`user-bucket-service`, `job-worker`):
    /// files whose process is alive.
    package func liveProcesses() -> [String: Int] {
        guard let directory = state.withLock({ $0.directory }) else { return [:] }
        var live: [String: Int] = [:]
        for entry in (try? FileIO.list(directory: directory)) ?? [] where entry.hasSuffix(".metrics") {
            let stem = entry.dropLast(".metrics".count)
            guard let dash = stem.lastIndex(of: "-"), let pid = Int32(stem[stem.index(after: dash)...]) else { continue }
            if Self.isRunning(pid) { live[String(stem[..<dash]), default: 0] += 1 }
        }
        return live
    }

    /// Whether `pid` is a process that still runs (a zombie, killed and not yet reaped, is not).
    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? FileIO.read(path: "/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
            close + 2 < stat.count
        else { return false }
        let state = stat[close + 2]
        return state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }

    package func exposition() -> String {
        guard let directory = state.withLock({ $0.directory }) else { return "" }
        var totals: [String: UInt64] = [:]
        // A file renamed by a starting worker between the listing and the reading would be
        // missed (and the totals dip): read again until the folder held still.
        for _ in 0..<3 {
            let names = ((try? FileIO.list(directory: directory)) ?? []).filter { $0.hasSuffix(".metrics") }.sorted()
            totals = [:]
            for name in names {
                for (series, value) in MetricsFile.read(path: directory + "/" + name) { totals[series, default: 0] += value }
            }
            if ((try? FileIO.list(directory: directory)) ?? []).filter({ $0.hasSuffix(".metrics") }).sorted() == names { break }
        }
        // Raw bucket counts → cumulative `le` buckets, per histogram and label set.
        var raw: [String: [UInt64]] = [:]  // "name{labels" → count per bucket index
        for (series, value) in totals where series.contains("_bucketraw{") {
            totals[series] = nil
            guard let marker = series.firstRange(of: "i=\""), let index = Int(series[marker.upperBound...].prefix { $0 != "\"" }) else { continue }
            var head = String(series[..<marker.lowerBound]).replacing("_bucketraw{", with: "_bucket{")
            if head.hasSuffix(",") { head.removeLast() }
            raw[head, default: Array(repeating: 0, count: Self.buckets.count + 1)][index] += value
        }
        for (head, counts) in raw {
            var running: UInt64 = 0
            let separator = head.hasSuffix("{") ? "" : ","
            for (index, count) in counts.enumerated() {
                running += count
                let bound = index < Self.buckets.count ? String(Self.buckets[index]) : "+Inf"
                totals["\(head)\(separator)le=\"\(bound)\"}"] = running
            }
        }
        // Grouped by family, each with its HELP and TYPE; a histogram's series by label set, its
        // buckets in `le` order (+Inf last), then its sum and count — as promtool wants them.
        struct Line {
            let labels: String
            let part: Int
            let bound: Double
            let text: String
        }
        var families: [String: (histogram: Bool, lines: [Line])] = [:]
        for (series, value) in totals {
            var name = String(series.prefix { $0 != "{" })
            var shown = series
            var text = String(value)
            if name.hasSuffix("_sum_us") {
                name = String(name.dropLast(3))
                shown = name + series.drop { $0 != "{" }
                text = String(Double(value) / 1_000_000)
            }
            let suffix = ["_bucket", "_count", "_sum"].first { name.hasSuffix($0) }
            let family = suffix.map { String(name.dropLast($0.count)) } ?? name
            var labels = String(shown.drop { $0 != "{" })
            var bound = 0.0
            if let le = labels.firstRange(of: "le=\"") {
                let value = labels[le.upperBound...].prefix { $0 != "\"" }
                bound = value == "+Inf" ? .infinity : Double(value) ?? 0
                labels.removeSubrange(le.lowerBound..<labels.index(le.upperBound, offsetBy: value.count + 1))
            }
            let part = suffix == "_bucket" ? 0 : suffix == "_sum" ? 1 : suffix == "_count" ? 2 : 0
            families[family, default: (suffix != nil, [])].lines.append(Line(labels: labels, part: part, bound: bound, text: "\(shown) \(text)\n"))
        }
        var output = ""
        for family in families.keys.sorted() {
            let (histogram, lines) = families[family]!
            output += "# HELP \(family) \(Self.help[family] ?? family.replacing("_", with: " "))\n"
            output += "# TYPE \(family) \(histogram ? "histogram" : "counter")\n"
            for line in lines.sorted(by: { ($0.labels, $0.part, $0.bound, $0.text) < ($1.labels, $1.part, $1.bound, $1.text) }) {
                output += line.text
            }
        }
        return output
    }
}
