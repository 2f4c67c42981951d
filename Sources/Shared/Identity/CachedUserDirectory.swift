/// `UserDirectory` with an `IdentityCache` in front, kept true by PostgreSQL itself: triggers on
/// every table identification reads (db/migrations/0008) `NOTIFY userbuckets_identity` with the
/// keys that changed, this worker's connection LISTENs, and its socket joins the serving loop's
/// poll (`DescriptorWatcher`), so invalidations are applied between requests on every host
/// that shares the database. A lost or new connection flushes everything (notifications may
/// have been missed); while there is none, nothing is served from the cache.
///
/// Writes go through to the database; their own notifications come back on this connection
/// with the command's result and are applied before the next read.
package final class CachedUserDirectory: UserDirectory, DescriptorWatcher {
    package static let channel = "userbuckets_identity"

    private let base: any UserDirectory
    private let connection: PostgresConnection
    package let cache: IdentityCache
    /// The listening connection the cached entries came through.
    private var cachedConnection: Int?

    package init(base: any UserDirectory, connection: PostgresConnection, cache: IdentityCache) {
        self.base = base
        self.connection = connection
        self.cache = cache
        connection.listen(on: Self.channel)
    }

    // MARK: DescriptorWatcher

    package var descriptor: Int32? { connection.socket }

    package func descriptorReady() {
        apply(connection.notifications(read: true))
    }

    /// Applies notifications (nil: the connection is gone, so everything goes) and flushes when
    /// the listening connection is not the one the entries came through.
    private func apply(_ payloads: [String]?) {
        guard let payloads else {
            cache.flush()
            cachedConnection = nil
            return
        }
        for payload in payloads { cache.invalidate(payload) }
        followListeningConnection()
    }

    /// Flushes when the listening connection is not the one the entries came through; returns
    /// whether there is one.
    @discardableResult
    private func followListeningConnection() -> Bool {
        let listening = connection.listeningConnection
        if listening != cachedConnection {
            cache.flush()
            cachedConnection = listening
        }
        return listening != nil
    }

    /// The cached answer for `key`, or `read()`'s, kept when a listening connection stands
    /// behind it. Kept first, then the notifications that came with the answer applied: one
    /// about a change after the read removes what was just kept.
    /// `keep`: whether an answer is worth keeping.
    private func lookup(
        _ key: IdentityCache.Key, keep: (IdentityCache.Value) -> Bool = { _ in true }, _ read: () throws -> IdentityCache.Value
    ) throws -> IdentityCache.Value {
        apply(connection.notifications(read: false))
        if cachedConnection != nil, let hit = cache.value(key) { return hit }
        let value = try read()
        if followListeningConnection(), keep(value) { cache.store(key, value) }
        apply(connection.notifications(read: false))
        return value
    }

    private func candidates(_ key: IdentityCache.Key, _ read: () throws -> [UserCandidate]) throws -> [UserCandidate] {
        guard case .candidates(let list) = try lookup(key, { .candidates(try read()) }) else { return try read() }
        return list
    }

    // MARK: UserDirectory

    package func usersByMapping(key: String) throws -> [UserCandidate] {
        try candidates(IdentityCache.Key(.mapping, key)) { try base.usersByMapping(key: key) }
    }

    package func usersByProfileWhatsApp(key: String) throws -> [UserCandidate] {
        try candidates(IdentityCache.Key(.profileWhatsApp, key)) { try base.usersByProfileWhatsApp(key: key) }
    }

    package func usersByProfilePhone(key: String) throws -> [UserCandidate] {
        try candidates(IdentityCache.Key(.profilePhone, key)) { try base.usersByProfilePhone(key: key) }
    }

    package func userByMeetingNotes(contactID: String) throws -> UserCandidate? {
        guard
            case .user(let found) = try lookup(
                IdentityCache.Key(.meetingNotes, contactID), { .user(try base.userByMeetingNotes(contactID: contactID)) })
        else {
            return try base.userByMeetingNotes(contactID: contactID)
        }
        return found
    }

    /// A user that exists is cached (until their rows change); "no such user" is not: a user
    /// who signs up now must be found at once, and `auth.users` is not ours to put triggers on.
    package func user(_ userID: UserID) throws -> UserCandidate? {
        let value = try lookup(IdentityCache.Key(.user, userID.value), keep: { $0 != .user(nil) }) { .user(try base.user(userID)) }
        guard case .user(let found) = value else { return try base.user(userID) }
        return found
    }

    package func backfillProfileWhatsApp(userID: UserID, number: String) throws {
        try base.backfillProfileWhatsApp(userID: userID, number: number)
        apply(connection.notifications(read: false))
    }

    package func upsertMapping(userID: UserID, number: String, chatwootContactID: String?, chatwootAccountID: String?) throws {
        try base.upsertMapping(userID: userID, number: number, chatwootContactID: chatwootContactID, chatwootAccountID: chatwootAccountID)
        apply(connection.notifications(read: false))
    }

    package func mappedNumbers(of userID: UserID) throws -> [String] {
        try base.mappedNumbers(of: userID)
    }

    package func profileNumbers(of userID: UserID) throws -> (whatsApp: String?, phone: String?)? {
        try base.profileNumbers(of: userID)
    }
}
