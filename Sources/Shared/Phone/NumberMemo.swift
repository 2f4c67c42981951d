/// What `PhoneNormalizer.normalize` made of each input seen lately, per serving thread: the same
/// callers send the same numbers in the same shapes again and again, and a normalization is a
/// pure function of its input (and the configured region), so a remembered answer is never
/// stale. Bounded: it starts over when full.
package final class NumberMemo {
    private let normalizer: PhoneNormalizer
    private let capacity: Int
    private var answers: [String: PhoneNumber?] = [:]

    package init(normalizer: PhoneNormalizer, capacity: Int = 16_384) {
        self.normalizer = normalizer
        self.capacity = max(1, capacity)
    }

    package func normalize(_ input: String) -> PhoneNumber? {
        // Long inputs (pasted text) are normalized every time: they are rare, and keys that big
        // would crowd the memo.
        guard input.utf8.count <= 64 else { return normalizer.normalize(input) }
        if let known = answers[input] { return known }
        let number = normalizer.normalize(input)
        if answers.count >= capacity { answers.removeAll(keepingCapacity: true) }
        answers[input] = .some(number)
        return number
    }
}
