/// What identification read, kept per worker so the warm path touches neither PostgreSQL nor
/// storage: each directory lookup's answer by its key (a number's lookup key for the mapping,
/// profile-WhatsApp and profile-phone steps, a contact id for the meeting-notes step, a user
/// id), "nobody" included.
///
/// Bounded: two generations of at most `capacity / 2` entries each; a hit in the older one
/// moves it to the newer, and when the newer is full the older is dropped — LRU-like at O(1)
/// with no list to keep. Entries older than `ttlSeconds` are misses (the safety net; the
/// mechanism is `invalidate`, fed by PostgreSQL notifications).
package final class IdentityCache {
    package enum Value: Equatable, Sendable {
        case candidates([UserCandidate])
        case user(UserCandidate?)

        var userIDs: [String] {
            switch self {
            case .candidates(let list): list.map(\.userID.value)
            case .user(let candidate): candidate.map { [$0.userID.value] } ?? []
            }
        }
    }

    /// Which lookup: the step and what it looked up (no string is concatenated per lookup).
    package struct Key: Hashable, Sendable {
        package enum Kind: UInt8, Sendable {
            case mapping, profileWhatsApp, profilePhone, meetingNotes, user
        }

        package let kind: Kind
        package let text: String

        package init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    private struct Entry {
        let value: Value
        let storedAt: Int
    }

    /// One generation: the entries, and which keys name each user (for `u:` invalidations).
    private struct Generation {
        var entries: [Key: Entry] = [:]
        var keysOfUser: [String: [Key]] = [:]
        /// Entries put in so far (some since removed): bounds `keysOfUser` too.
        var inserted = 0

        mutating func insert(_ key: Key, _ entry: Entry) {
            if entries.updateValue(entry, forKey: key) == nil {
                inserted += 1
                for user in entry.value.userIDs { keysOfUser[user, default: []].append(key) }
            }
        }

        mutating func remove(user: String) {
            guard let keys = keysOfUser.removeValue(forKey: user) else { return }
            for key in keys { entries.removeValue(forKey: key) }
        }
    }

    /// Both generations and the counts, in one value: each call makes one access to it (a
    /// class's stored properties are each checked for exclusive access at run time).
    private struct State {
        var newer = Generation()
        var older = Generation()
        var hits = 0
        var misses = 0

        var count: Int { newer.entries.count + older.entries.count }

        /// The answer for `key` and the lookups counted so far, this one included.
        mutating func value(_ key: Key, now: Int, ttlSeconds: Int, capacity: Int) -> (Value?, lookups: Int) {
            let value = find(key, now: now, ttlSeconds: ttlSeconds, capacity: capacity)
            return (value, hits + misses)
        }

        private mutating func find(_ key: Key, now: Int, ttlSeconds: Int, capacity: Int) -> Value? {
            if let entry = newer.entries[key] {
                guard now - entry.storedAt < ttlSeconds else {
                    newer.entries.removeValue(forKey: key)
                    misses += 1
                    return nil
                }
                hits += 1
                return entry.value
            }
            if let entry = older.entries.removeValue(forKey: key) {
                guard now - entry.storedAt < ttlSeconds else {
                    misses += 1
                    return nil
                }
                hits += 1
                insert(key, entry, capacity: capacity)
                return entry.value
            }
            misses += 1
            return nil
        }

        mutating func insert(_ key: Key, _ entry: Entry, capacity: Int) {
            if newer.inserted >= capacity / 2, newer.entries[key] == nil {
                older = newer
                newer = Generation()
                newer.entries.reserveCapacity(capacity / 2)
            }
            older.entries.removeValue(forKey: key)
            newer.insert(key, entry)
        }

        mutating func remove(_ key: Key) {
            newer.entries.removeValue(forKey: key)
            older.entries.removeValue(forKey: key)
        }
    }

    package let capacity: Int
    private let ttlSeconds: Int
    private let clock: () -> Int
    private var state = State()
    /// `userbuckets_identity_cache_lookups_total{result="hit"|"miss"}`, added to every 64
    /// lookups (a scrape lags by fewer than 64 per serving thread; an add per lookup would cost
    /// more than the lookup itself). nil when metrics are off.
    private let metrics: Metrics
    private let hitSlot: Int?
    private let missSlot: Int?
    private var publishedHits = 0
    private var publishedMisses = 0

    package init(
        capacity: Int, ttlSeconds: Int, clock: @escaping () -> Int = { MonotonicClock.milliseconds() / 1000 }, metrics: Metrics = .shared
    ) {
        self.capacity = max(2, capacity)
        self.ttlSeconds = ttlSeconds
        self.clock = clock
        self.metrics = metrics
        hitSlot = metrics.slot(#"userbuckets_identity_cache_lookups_total{result="hit"}"#)
        missSlot = metrics.slot(#"userbuckets_identity_cache_lookups_total{result="miss"}"#)
    }

    package var count: Int { state.count }

    package func value(_ key: Key) -> Value? {
        let (value, lookups) = state.value(key, now: clock(), ttlSeconds: ttlSeconds, capacity: capacity)
        if lookups & 63 == 0 { publish() }
        return value
    }

    private func publish() {
        let (hits, misses) = (state.hits, state.misses)
        if let hitSlot, hits > publishedHits { metrics.add(UInt64(hits - publishedHits), slot: hitSlot) }
        if let missSlot, misses > publishedMisses { metrics.add(UInt64(misses - publishedMisses), slot: missSlot) }
        publishedHits = hits
        publishedMisses = misses
    }

    package func store(_ key: Key, _ value: Value) {
        state.insert(key, Entry(value: value, storedAt: clock()), capacity: capacity)
    }

    /// Applies one invalidation: `k:<lookup key>` (a number's three lookups), `u:<user id>`
    /// (every answer naming that user), `n:<contact id>`, or `*` (everything).
    package func invalidate(_ message: String) {
        if message == "*" { return flush() }
        let text = String(message.dropFirst(2))
        if message.hasPrefix("k:") {
            for kind in [Key.Kind.mapping, .profileWhatsApp, .profilePhone] { remove(Key(kind, text)) }
        } else if message.hasPrefix("u:") {
            state.newer.remove(user: text)
            state.older.remove(user: text)
            remove(Key(.user, text))
        } else if message.hasPrefix("n:") {
            remove(Key(.meetingNotes, text))
        }
    }

    private func remove(_ key: Key) {
        state.remove(key)
    }

    package func flush() {
        state.newer = Generation()
        state.older = Generation()
    }
}
