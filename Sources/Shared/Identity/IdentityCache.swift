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

    package let capacity: Int
    private let ttlSeconds: Int
    private let clock: () -> Int
    private var newer = Generation()
    private var older = Generation()
    package private(set) var hits = 0
    package private(set) var misses = 0

    package init(capacity: Int, ttlSeconds: Int, clock: @escaping () -> Int = { MonotonicClock.milliseconds() / 1000 }) {
        self.capacity = max(2, capacity)
        self.ttlSeconds = ttlSeconds
        self.clock = clock
    }

    package var count: Int { newer.entries.count + older.entries.count }

    package func value(_ key: Key) -> Value? {
        let now = clock()
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
            insert(key, entry)
            return entry.value
        }
        misses += 1
        return nil
    }

    package func store(_ key: Key, _ value: Value) {
        insert(key, Entry(value: value, storedAt: clock()))
    }

    private func insert(_ key: Key, _ entry: Entry) {
        if newer.inserted >= capacity / 2, newer.entries[key] == nil {
            older = newer
            newer = Generation()
            newer.entries.reserveCapacity(capacity / 2)
        }
        older.entries.removeValue(forKey: key)
        newer.insert(key, entry)
    }

    /// Applies one invalidation: `k:<lookup key>` (a number's three lookups), `u:<user id>`
    /// (every answer naming that user), `n:<contact id>`, or `*` (everything).
    package func invalidate(_ message: String) {
        if message == "*" { return flush() }
        let text = String(message.dropFirst(2))
        if message.hasPrefix("k:") {
            for kind in [Key.Kind.mapping, .profileWhatsApp, .profilePhone] { remove(Key(kind, text)) }
        } else if message.hasPrefix("u:") {
            newer.remove(user: text)
            older.remove(user: text)
            remove(Key(.user, text))
        } else if message.hasPrefix("n:") {
            remove(Key(.meetingNotes, text))
        }
    }

    private func remove(_ key: Key) {
        newer.entries.removeValue(forKey: key)
        older.entries.removeValue(forKey: key)
    }

    package func flush() {
        newer = Generation()
        older = Generation()
    }
}
