import Foundation
import Testing

@testable import Shared

/// The normalizer's memo: the same answers as the normalizer, within its bound, at any mix.
@Suite struct NumberMemoTests {
    let normalizer = PhoneNormalizer()

    @Test func itAnswersWhatTheNormalizerAnswersAndStaysWithinItsBound() {
        let memo = NumberMemo(normalizer: normalizer, capacity: 1_000)
        #expect(memo.capacity == 1_024)
        let shapes = ["+55 (11) 9%@", "55119%@", "whatsapp:+55119%@", "55119%@@s.whatsapp.net", "not a number %@"]
        for round in 0..<2 {
            for n in 0..<5_000 {
                let digits = String(60_000_000 + n * 7)
                let input = shapes[n % shapes.count].replacingOccurrences(of: "%@", with: digits)
                #expect(memo.normalize(input) == normalizer.normalize(input), "round \(round): \(input)")
            }
        }
        #expect(memo.count <= memo.capacity)
        #expect(memo.count > 0)
    }

    /// A new input replaces at most one answer: the memo never drops many at once (which froze
    /// the request that did it, and every request queued behind it, for milliseconds).
    @Test func aNewInputNeverDropsMoreThanOneAnswer() {
        let memo = NumberMemo(normalizer: normalizer, capacity: 256)
        var remembered = 0
        for n in 0..<1_000 {
            _ = memo.normalize("+55 11 9\(60_000_000 + n)")
            let now = memo.count
            #expect(now >= remembered, "input \(n): \(remembered) → \(now) answers")
            remembered = now
        }
        #expect(remembered > 128)
    }

    /// One pair of slots: every third input evicts the oldest, and each is still answered for itself.
    @Test func inputsSharingASlotAreNeverConfused() {
        let memo = NumberMemo(normalizer: normalizer, capacity: 1)
        #expect(memo.capacity == 2)
        let inputs = ["+55 11 98765-4321", "11 98765-4321", "garbage", "+1 415 555 2671"]
        for _ in 0..<3 {
            for input in inputs { #expect(memo.normalize(input) == normalizer.normalize(input), "\(input)") }
        }
        #expect(memo.count == 2)
    }
}
