import Synchronization

/// `UserDirectory` in memory, for tests of the identification order. Stored numbers are
/// matched through the same normalizer and key the SQL index uses.
package final class InMemoryUserDirectory: UserDirectory, Sendable {
    /// One profile row.
    package struct Profile: Sendable {
        package var whatsApp: String?
        package var phone: String?

        package init(whatsApp: String? = nil, phone: String? = nil) {
            self.whatsApp = whatsApp
            self.phone = phone
        }
    }

    private struct State {
        var users: Set<UserID> = []
        var profiles: [UserID: Profile] = [:]
        var mappings: [(user: UserID, number: String, contact: String?, account: String?)] = []
        var notes: [(user: UserID, contactID: String)] = []
    }

    private let normalizer: PhoneNormalizer
    private let state = Mutex(State())

    package init(normalizer: PhoneNormalizer = PhoneNormalizer()) {
        self.normalizer = normalizer
    }

    package func addUser(_ user: UserID, profile: Profile? = nil) {
        state.withLock { state in
            state.users.insert(user)
            if let profile { state.profiles[user] = profile }
        }
    }

    package func addMapping(_ user: UserID, number: String) {
        state.withLock { $0.mappings.append((user, number, nil, nil)) }
    }

    /// Notes in the order written; the last one is the newest.
    package func addNote(_ user: UserID, contactID: String) {
        state.withLock { $0.notes.append((user, contactID)) }
    }

    package var mappingRows: [(user: UserID, number: String, contact: String?, account: String?)] {
        state.withLock { $0.mappings }
    }

    package func profile(of user: UserID) -> Profile? {
        state.withLock { $0.profiles[user] }
    }

    private func matches(_ stored: String?, _ key: String) -> Bool {
        guard let stored, let number = normalizer.normalize(stored) else { return false }
        return number.lookupKey == key
    }

    private func distinct(_ users: [UserID]) -> [UserCandidate] {
        var seen: [UserID] = []
        for user in users where !seen.contains(user) { seen.append(user) }
        return seen.prefix(2).map { UserCandidate(userID: $0) }
    }

    package func usersByMapping(key: String) throws -> [UserCandidate] {
        distinct(state.withLock { $0.mappings }.filter { matches($0.number, key) }.map(\.user))
    }

    package func usersByProfileWhatsApp(key: String) throws -> [UserCandidate] {
        let profiles = state.withLock { $0.profiles }
        return distinct(profiles.filter { matches($0.value.whatsApp, key) }.map(\.key)).map {
            UserCandidate(userID: $0.userID, profileWhatsApp: profiles[$0.userID]?.whatsApp)
        }
    }

    package func usersByProfilePhone(key: String) throws -> [UserCandidate] {
        let profiles = state.withLock { $0.profiles }
        return distinct(profiles.filter { matches($0.value.phone, key) }.map(\.key)).map {
            UserCandidate(userID: $0.userID, profileWhatsApp: profiles[$0.userID]?.whatsApp)
        }
    }

    package func userByMeetingNotes(contactID: String) throws -> UserCandidate? {
        state.withLock { $0.notes.last { $0.contactID == contactID } }.map { UserCandidate(userID: $0.user) }
    }

    package func backfillProfileWhatsApp(userID: UserID, number: String) throws {
        state.withLock { state in
            if (state.profiles[userID]?.whatsApp ?? "").isEmpty { state.profiles[userID]?.whatsApp = number }
        }
    }

    package func upsertMapping(userID: UserID, number: String, chatwootContactID: String?, chatwootAccountID: String?) throws {
        state.withLock { state in
            if !state.mappings.contains(where: { $0.user == userID && $0.number == number }) {
                state.mappings.append((userID, number, chatwootContactID, chatwootAccountID))
            }
        }
    }

    package func user(_ userID: UserID) throws -> UserCandidate? {
        state.withLock { $0.users.contains(userID) } ? UserCandidate(userID: userID) : nil
    }

    package func mappedNumbers(of userID: UserID) throws -> [String] {
        state.withLock { $0.mappings }.filter { $0.user == userID }.map(\.number)
    }

    package func profileNumbers(of userID: UserID) throws -> (whatsApp: String?, phone: String?)? {
        state.withLock { $0.profiles[userID] }.map { ($0.whatsApp, $0.phone) }
    }
}
