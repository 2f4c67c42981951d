import Foundation
import TestSupport
import Testing

@testable import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Per-process metrics files: what a scrape sums must never go down.
@Suite final class MetricsFileTests {
    let directory: String

    init() {
        directory = makeTemporaryDirectory(prefix: "ub-metrics")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new process that gets the pid of an exited one opens that process's file: it goes on
    /// from its values, in the same slots, instead of wiping them.
    @Test func aReusedPidContinuesTheFileItFinds() throws {
        let exited = Metrics()
        exited.start(directory: directory, name: "fn")
        exited.increment("x_total", by: 5)
        exited.increment("y_total", by: 1)
        let next = Metrics()  // the same pid here: the same file
        next.start(directory: directory, name: "fn")
        next.increment("x_total", by: 2)
        let files = try FileIO.list(directory: directory)
        #expect(files == ["fn-\(getpid()).metrics"])
        let series = MetricsFile.read(path: directory + "/" + files[0])
        #expect(series.map(\.0) == ["x_total", "y_total"])
        #expect(series.map(\.1) == [7, 1])
        #expect(next.exposition().contains("x_total 7\n"))
    }

    /// A new worker takes over the file of one that exited (its values kept): the folder does
    /// not grow with every worker ever started. A live process's file is left alone.
    @Test func aStartingWorkerTakesOverTheFileOfAnExitedOne() throws {
        let pidMax = Int32(try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        let exited = try #require(MetricsFile(path: directory + "/fn-\(pidMax + 1).metrics"))  // no process has that pid
        exited.add(5, at: try #require(exited.claim("x_total")))
        let live = try #require(MetricsFile(path: directory + "/fn-1.metrics"))  // pid 1 is alive
        live.add(1, at: try #require(live.claim("x_total")))
        let other = try #require(MetricsFile(path: directory + "/other-\(pidMax + 2).metrics"))  // another function's
        other.add(1, at: try #require(other.claim("x_total")))
        let metrics = Metrics()
        metrics.start(directory: directory, name: "fn")
        metrics.increment("x_total", by: 2)
        #expect(try FileIO.list(directory: directory).sorted() == ["fn-1.metrics", "fn-\(getpid()).metrics", "other-\(pidMax + 2).metrics"])
        #expect(MetricsFile.read(path: directory + "/fn-\(getpid()).metrics").map(\.1) == [7])
        #expect(metrics.exposition().contains("x_total 9\n"))
    }

    @Test func aFileOfAnotherSizeStartsOver() throws {
        let path = directory + "/fn-1.metrics"
        try "not a metrics file".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try #require(MetricsFile(path: path))
        #expect(file.series.isEmpty)
        #expect(file.claim("z_total") == 0)
    }
}
