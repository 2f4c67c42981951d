package import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a crash loop from burning the CPU, without ever giving a worker up.
///
/// The supervisor (multiwatch, systemd) restarts a worker that died at once and forever. Each
/// worker, as it starts, records its start in `<directory>/<name>.starts` (under `flock`, shared
/// by every worker of the function) and counts the starts of the last 10 seconds. More than the
/// pool size plus two means workers keep dying: this one waits before serving, 100 ms doubling
/// per extra start up to 5 s, says so at error level and counts it
/// (`userbuckets_worker_restart_delays_total`). Every start is counted too
/// (`userbuckets_worker_starts_total`). A worker that waits is alive, so its slot is never lost.
package enum RestartPacer {
    static let window: Int64 = 10_000
    static let maximumDelayMs = 5_000

    /// The wait for a start at `now` (ms) after the `recent` starts, with `poolSize` workers.
    static func delayMs(recentStarts: Int, poolSize: Int) -> Int {
        let excess = recentStarts - (poolSize + 2)
        guard excess > 0 else { return 0 }
        return min(100 << min(excess - 1, 16), maximumDelayMs)
    }

    /// Records this start and waits if the function is restarting in a loop. Reads
    /// `UB_METRICS_DIR` (no folder: nothing to pace by) and the pool size from `poolSizeVariable`
    /// (`UB_WORKERS` for a function's pool, `UB_JOB_WORKERS` for the job workers; 6 when unset).
    package static func pace(name: String, poolSizeVariable: String = "UB_WORKERS", environment: Environment, logger: Logger) {
        guard let directory = environment.get("UB_METRICS_DIR") else { return }
        let poolSize = Int(environment.get(poolSizeVariable, default: "6")) ?? 6
        Metrics.shared.increment("userbuckets_worker_starts_total{function=\"\(name)\"}")
        guard let recent = record(path: "\(directory)/\(name).starts", now: Int64(MonotonicClock.milliseconds())) else { return }
        let delay = delayMs(recentStarts: recent, poolSize: poolSize)
        guard delay > 0 else { return }
        Metrics.shared.increment("userbuckets_worker_restart_delays_total{function=\"\(name)\"}")
        logger.error(
            "workers keep dying: waiting before serving",
            metadata: ["starts_in_10s": .stringConvertible(recent), "pool_size": .stringConvertible(poolSize), "delay_ms": .stringConvertible(delay)])
        POSIX.sleep(milliseconds: delay)
    }

    /// Appends `now` to the file of start times (8-byte little-endian ms each, the last 10 s
    /// kept) and returns how many starts it holds now; nil when the file cannot be used.
    static func record(path: String, now: Int64) -> Int? {
        _ = try? FileIO.makeDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 8 * 512)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        var starts: [Int64] = []
        if count > 0 {
            for offset in stride(from: 0, to: count - count % 8, by: 8) {
                let value = buffer[offset..<(offset + 8)].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
                if now - value < window, value <= now { starts.append(value) }
            }
        }
        starts.append(now)
        starts = Array(starts.suffix(511))
        var bytes: [UInt8] = []
        for start in starts { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: start >> Int64(shift))) } }
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return starts.count
    }
}
