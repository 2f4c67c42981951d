import Testing

@testable import Shared

/// The eight-at-a-time scans stop exactly where a byte-by-byte scan does.
@Suite struct ByteRunsTests {
    @Test func bothRunsMatchAByteByByteScan() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xE1, 0xE2, 0xE3, 0xFF]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes: [UInt8] = (0..<count).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x41...0x5A, using: &generator) : interesting.randomElement(using: &generator)!
            }
            let unescaped = bytes.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 } ?? count
            let printable = bytes.firstIndex { $0 < 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x5C } ?? count
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                #expect(ByteRuns.unescaped(base, count: count) == unescaped, "\(bytes)")
                #expect(ByteRuns.printable(base, count: count) == printable, "\(bytes)")
            }
        }
    }
}
