import Testing

@testable import Shared

@Suite struct VerifiedTokenCacheTests {
    @Test func aTokenIsRememberedUntilItExpiresWhetherSeenLastOrNot() {
        let cache = VerifiedTokenCache(capacity: 8)
        cache.store("token-a", caller: .serviceRole, expiresAt: 100)
        cache.store("token-b", caller: .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!), expiresAt: 200)
        // token-b was seen last; token-a comes from the table, then becomes the last one.
        #expect(cache.caller(for: "token-a", now: 50) == .serviceRole)
        #expect(cache.caller(for: "token-a", now: 100) == .serviceRole)
        #expect(cache.caller(for: "token-b", now: 150) == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!))
        #expect(cache.caller(for: "token-c", now: 50) == nil)
        // Expired: neither the last-seen shortcut nor the table answers.
        #expect(cache.caller(for: "token-a", now: 101) == nil)
        #expect(cache.caller(for: "token-b", now: 201) == nil)
        #expect(cache.caller(for: "token-b", now: 150) == nil)  // forgotten when it was found expired
    }

    @Test func aFullCacheStartsOver() {
        let cache = VerifiedTokenCache(capacity: 2)
        cache.store("one", caller: .anonymous, expiresAt: 100)
        cache.store("two", caller: .anonymous, expiresAt: 100)
        cache.store("three", caller: .serviceRole, expiresAt: 100)
        #expect(cache.caller(for: "one", now: 0) == nil)
        #expect(cache.caller(for: "three", now: 0) == .serviceRole)
    }
}
