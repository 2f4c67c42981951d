import Synchronization

/// A small per-process cache of verified tokens: token text → caller and expiry.
///
/// A hit is only as good as the token: it expires with the token's `exp` (plus the verifier's
/// leeway, which the first verification already granted) and the cache forgets everything when
/// it fills up. Only tokens whose signature verified are stored.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let caller: Caller
        let expiresAt: Int
    }

    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func caller(for token: String, now: Int) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            if now > entry.expiresAt {
                entries[token] = nil
                return nil
            }
            return entry.caller
        }
    }

    func store(_ token: String, caller: Caller, expiresAt: Int) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(caller: caller, expiresAt: expiresAt)
        }
    }
}
