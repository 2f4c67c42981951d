import Foundation
import Synchronization

/// Latencies and errors of `object load-test`, gathered from several threads.
final class LoadTestResults: Sendable {
    private let state = Mutex<(latencies: [Double], errors: [String])>(([], []))

    func record(milliseconds: Int) {
        state.withLock { $0.latencies.append(Double(milliseconds)) }
    }

    func record(error: String) {
        state.withLock { $0.errors.append(error) }
    }

    /// Blocks until `count` results are in.
    /// Waits until `count` uploads ended, showing how many have on a terminal.
    func waitForAll(_ count: Int, progress: Progress? = nil) {
        while true {
            let done = state.withLock { $0.latencies.count + $0.errors.count }
            progress?.update(done, of: count)
            if done >= count { break }
            usleep(5_000)
        }
        progress?.finish()
    }

    func summary() -> (latencies: [Double], errors: [String], percentile: (Double) -> Double) {
        let (latencies, errors) = state.withLock { ($0.latencies.sorted(), $0.errors) }
        return (
            latencies, errors,
            { fraction in latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * fraction))] }
        )
    }

}
