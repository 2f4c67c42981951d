import Dispatch
import Synchronization
import TestSupport
import Testing

@testable import Shared

@Suite struct HMACKeyTests {
    /// RFC 4231, test cases 2 and 6 (a key longer than the block).
    @Test func matchesTheRFC4231Vectors() {
        let jefe = HMACKey(Array("Jefe".utf8))
        #expect(
            Digest.hex(jefe.authenticate(Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let long = HMACKey([UInt8](repeating: 0xaa, count: 131))
        #expect(
            Digest.hex(long.authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aMessageInTwoPartsIsTheWholeMessage() {
        let key = HMACKey(Array("webhook-secret".utf8))
        var random = SplitMix(state: 4231)
        for _ in 0..<200 {
            let message = (0..<Int.random(in: 0...3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let cut = Int.random(in: 0...message.count, using: &random)
            let expected = Digest.hmacSHA256(key: Array("webhook-secret".utf8), message: message)
            #expect(key.authenticate(message[..<cut], message[cut...]) == expected)
            #expect(key.authenticate(message) == expected)
        }
    }

    @Test func oneKeyServesManyThreads() {
        let key = HMACKey(Array("shared".utf8))
        let expected = Digest.hmacSHA256(key: Array("shared".utf8), message: Array("message".utf8))
        let matches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            if key.authenticate(Array("message".utf8)) == expected { matches.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(matches.load(ordering: .relaxed) == 64)
    }
}
