import Synchronization

/// Request ids: an incoming `X-Request-Id` when it is sane, otherwise 16 random hex digits.
enum RequestID {
    /// Keeps `incoming` when it is 1–64 characters of `[A-Za-z0-9._-]`; else makes a new id.
    static func accepting(_ incoming: String?) -> String {
        if let incoming, (1...64).contains(incoming.utf8.count),
            incoming.utf8.allSatisfy({ isSafe($0) })
        {
            return incoming
        }
        return make()
    }

    /// Ids need to be unique, not secret: a SplitMix64 sequence from one random seed per
    /// process (no getrandom(2) per request).
    static func make() -> String {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 { buffer[index] = digits.utf8Start[Int((z >> (60 - 4 * UInt64(index))) & 0xF)] }
            return 16
        }
    }

    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
