import TestSupport
import Testing

@testable import Shared

@Suite struct RestartPacerTests {
    @Test func aPoolStartingNormallyWaitsForNothingACrashLoopWaitsMoreAndMoreUpToFiveSeconds() {
        #expect(RestartPacer.delayMs(recentStarts: 6, poolSize: 6) == 0)
        #expect(RestartPacer.delayMs(recentStarts: 8, poolSize: 6) == 0)
        #expect(RestartPacer.delayMs(recentStarts: 9, poolSize: 6) == 100)
        #expect(RestartPacer.delayMs(recentStarts: 11, poolSize: 6) == 400)
        #expect(RestartPacer.delayMs(recentStarts: 40, poolSize: 6) == 5_000)
        #expect(RestartPacer.delayMs(recentStarts: 10_000, poolSize: 6) == 5_000)
    }

    @Test func startsOlderThanTenSecondsAreForgotten() {
        let path = makeTemporaryDirectory(prefix: "ub-pacer") + "/fn.starts"
        for offset in 0..<5 { #expect(RestartPacer.record(path: path, now: 1_000_000 + Int64(offset) * 100) == offset + 1) }
        #expect(RestartPacer.record(path: path, now: 1_000_000 + 10_050) == 5)  // the first has aged out
        #expect(RestartPacer.record(path: path, now: 1_000_000 + 60_000) == 1)
    }
}
