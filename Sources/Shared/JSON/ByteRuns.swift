/// How far a run of "plain" bytes goes, eight bytes at a time (SWAR: one 64-bit word tests
/// eight bytes), then byte by byte: the inner loops of the hot path's JSON reading and writing.
enum ByteRuns {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether a byte of `word` is zero.
    private static func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }

    /// Whether a byte of `word` is `byte`.
    private static func has(_ word: UInt64, _ byte: UInt8) -> Bool { hasZero(word ^ (ones &* UInt64(byte))) }

    /// Whether a byte of `word` is a control character (below 0x20) or not ASCII (0x80 or above).
    private static func hasControlOrHigh(_ word: UInt64) -> Bool { (word &- ones &* 0x20) & ~word & highs != 0 || word & highs != 0 }

    private static func word(_ start: UnsafePointer<UInt8>, _ index: Int) -> UInt64 {
        UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self)
    }

    /// Bytes a JSON string writes as they are (no control character, `"`, `\` or 0xE2, the first
    /// byte of U+2028/U+2029; other non-ASCII bytes go byte by byte).
    static func unescaped(_ start: UnsafePointer<UInt8>, count: Int) -> Int {
        var index = 0
        while index + 8 <= count {
            let word = word(start, index)
            if hasControlOrHigh(word) || has(word, 0x22) || has(word, 0x5C) { break }
            index += 8
        }
        while index < count {
            let byte = start[index]
            guard byte >= 0x20, byte != 0x22, byte != 0x5C, byte != 0xE2 else { break }
            index += 1
        }
        return index
    }

    /// Printable ASCII bytes other than `"` and `\`: a JSON string's plain content.
    static func printable(_ start: UnsafePointer<UInt8>, count: Int) -> Int {
        var index = 0
        while index + 8 <= count {
            let word = word(start, index)
            if hasControlOrHigh(word) || has(word, 0x22) || has(word, 0x5C) || has(word, 0x7F) { break }
            index += 8
        }
        while index < count {
            let byte = start[index]
            guard byte &- 0x20 < 0x5F, byte != 0x22, byte != 0x5C else { break }
            index += 1
        }
        return index
    }
}
