import Synchronization

/// A small per-process cache of verified tokens: token text → caller and expiry.
///
/// A hit is only as good as the token: it expires with the token's `exp` (plus the verifier's
/// leeway, which the first verification already granted) and the cache forgets everything when
/// it fills up. Only tokens whose signature verified are stored. The token seen last is checked
/// first, by comparing bytes: a worker mostly sees one token again and again (a service's key),
/// and a long token costs more to hash than to compare.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let caller: Caller
        let expiresAt: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var last: (token: String, entry: Entry)?
        /// The `Authorization` header the last token came in, as sent: the same header again
        /// is the same token, with no parsing.
        var lastHeader: String?
    }

    private let capacity: Int
    private let state = Mutex<State>(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func caller(for token: String, now: Int) -> Caller? {
        state.withLock { state in
            if let last = state.last, last.token == token, now <= last.entry.expiresAt { return last.entry.caller }
            guard let entry = state.entries[token] else { return nil }
            if now > entry.expiresAt {
                state.entries[token] = nil
                if state.last?.token == token { state.last = nil }
                return nil
            }
            state.last = (token, entry)
            state.lastHeader = nil
            return entry.caller
        }
    }

    /// The caller of the last token when `header` is the very header it came in.
    func caller(forHeader header: String, now: Int) -> Caller? {
        state.withLock { state in
            guard let last = state.last, state.lastHeader == header, now <= last.entry.expiresAt else { return nil }
            return last.entry.caller
        }
    }

    /// Remembers the header the last token came in.
    func rememberHeader(_ header: String, of token: String) {
        state.withLock { state in
            if state.last?.token == token { state.lastHeader = header }
        }
    }

    func store(_ token: String, caller: Caller, expiresAt: Int) {
        state.withLock { state in
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            let entry = Entry(caller: caller, expiresAt: expiresAt)
            state.entries[token] = entry
            state.last = (token, entry)
            state.lastHeader = nil
        }
    }
}
