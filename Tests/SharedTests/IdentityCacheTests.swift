import Foundation
import Testing

@testable import Shared

/// The identification cache's own rules: its bound, its recency, its invalidations and its
/// time limit.
@Suite struct IdentityCacheTests {
    static let user = UserID("8b0c2f3e-1d4a-4c5b-9e6f-7a8b9c0d1e2f")!
    static let other = UserID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")!

    @Test func itNeverHoldsMoreThanItsBoundUnderAMillionNumbers() {
        let cache = IdentityCache(capacity: 10_000, ttlSeconds: 300, clock: { 0 })
        var largest = 0
        for number in 0..<1_000_000 {
            cache.store(IdentityCache.Key(.mapping, "+55119\(number)"), .candidates([]))
            if number % 1000 == 0 { largest = max(largest, cache.count) }
        }
        #expect(max(largest, cache.count) <= 10_000)
        #expect(cache.count >= 5_000)
    }

    /// Hits and misses reach the metrics in batches of 64 lookups, none lost or counted twice.
    @Test func lookupsAreCountedInTheMetricsEverySixtyFourLookups() throws {
        let directory = NSTemporaryDirectory() + "ub-cache-metrics-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = Metrics()
        metrics.start(directory: directory, name: "fn")
        let cache = IdentityCache(capacity: 100, ttlSeconds: 300, clock: { 0 }, metrics: metrics)
        func counted(_ result: String) -> String? {
            metrics.exposition().split(separator: "\n").first { $0.hasPrefix(#"userbuckets_identity_cache_lookups_total{result="\#(result)"}"#) }
                .map { String($0.split(separator: " ").last ?? "") }
        }
        cache.store(IdentityCache.Key(.mapping, "a"), .candidates([]))
        for _ in 0..<40 { _ = cache.value(IdentityCache.Key(.mapping, "a")) }
        for _ in 0..<23 { _ = cache.value(IdentityCache.Key(.mapping, "b")) }
        #expect(counted("hit") == "0" && counted("miss") == "0", "63 lookups: not published yet")
        _ = cache.value(IdentityCache.Key(.mapping, "b"))
        #expect(counted("hit") == "40")
        #expect(counted("miss") == "24")
        for _ in 0..<64 { _ = cache.value(IdentityCache.Key(.mapping, "a")) }
        #expect(counted("hit") == "104")
        #expect(counted("miss") == "24")
    }

    @Test func recentlyReadEntriesOutliveOlderOnes() {
        let cache = IdentityCache(capacity: 4, ttlSeconds: 300, clock: { 0 })
        cache.store(IdentityCache.Key(.mapping, "a"), .candidates([UserCandidate(userID: Self.user)]))
        cache.store(IdentityCache.Key(.mapping, "b"), .candidates([]))
        cache.store(IdentityCache.Key(.mapping, "c"), .candidates([]))  // the newer half was full: a and b are the older now
        // a is read: it moves to the newer half and outlives b, which nobody read.
        #expect(cache.value(IdentityCache.Key(.mapping, "a")) == .candidates([UserCandidate(userID: Self.user)]))
        cache.store(IdentityCache.Key(.mapping, "d"), .candidates([]))
        #expect(cache.value(IdentityCache.Key(.mapping, "b")) == nil)
        #expect(cache.value(IdentityCache.Key(.mapping, "a")) != nil)
        #expect(cache.count <= 4)
    }

    @Test func invalidationsRemoveExactlyWhatChanged() {
        let cache = IdentityCache(capacity: 100, ttlSeconds: 300, clock: { 0 })
        cache.store(IdentityCache.Key(.mapping, "+5511987654321"), .candidates([]))
        cache.store(IdentityCache.Key(.profileWhatsApp, "+5511987654321"), .candidates([]))
        cache.store(IdentityCache.Key(.profilePhone, "+5511987654321"), .candidates([UserCandidate(userID: Self.other)]))
        cache.store(IdentityCache.Key(.mapping, "+5521998765432"), .candidates([UserCandidate(userID: Self.user, bucket: "b1")]))
        cache.store(IdentityCache.Key(.user, "\(Self.user.value)"), .user(UserCandidate(userID: Self.user, bucket: "b1")))
        cache.store(IdentityCache.Key(.meetingNotes, "contact_1_account_2"), .user(nil))
        cache.invalidate("k:+5511987654321")
        #expect(cache.value(IdentityCache.Key(.mapping, "+5511987654321")) == nil)
        #expect(cache.value(IdentityCache.Key(.profileWhatsApp, "+5511987654321")) == nil)
        #expect(cache.value(IdentityCache.Key(.profilePhone, "+5511987654321")) == nil)
        #expect(cache.value(IdentityCache.Key(.mapping, "+5521998765432")) != nil)
        // A user's bucket changed: every answer naming them goes, the rest stays.
        cache.invalidate("u:\(Self.user.value)")
        #expect(cache.value(IdentityCache.Key(.mapping, "+5521998765432")) == nil)
        #expect(cache.value(IdentityCache.Key(.user, "\(Self.user.value)")) == nil)
        #expect(cache.value(IdentityCache.Key(.meetingNotes, "contact_1_account_2")) == .user(nil))
        cache.invalidate("n:contact_1_account_2")
        #expect(cache.value(IdentityCache.Key(.meetingNotes, "contact_1_account_2")) == nil)
        cache.store(IdentityCache.Key(.mapping, "x"), .candidates([]))
        cache.invalidate("*")
        #expect(cache.count == 0)
    }

    @Test func entriesExpireAfterTheirTimeLimit() {
        let now = Box(0)
        let cache = IdentityCache(capacity: 100, ttlSeconds: 300, clock: { now.value })
        cache.store(IdentityCache.Key(.mapping, "a"), .candidates([]))
        now.value = 299
        #expect(cache.value(IdentityCache.Key(.mapping, "a")) != nil)
        now.value = 300
        #expect(cache.value(IdentityCache.Key(.mapping, "a")) == nil)
    }

    /// The 8- and 9-digit forms of a Brazilian mobile are one number: one entry serves both.
    @Test func theNinthDigitFormsShareOneEntry() throws {
        let normalizer = PhoneNormalizer()
        let nine = try #require(normalizer.normalize("+55 11 98765-4321"))
        let eight = try #require(normalizer.normalize("(11) 8765-4321"))
        let cache = IdentityCache(capacity: 100, ttlSeconds: 300, clock: { 0 })
        cache.store(IdentityCache.Key(.mapping, nine.lookupKey), .candidates([UserCandidate(userID: Self.user)]))
        #expect(cache.value(IdentityCache.Key(.mapping, eight.lookupKey)) == .candidates([UserCandidate(userID: Self.user)]))
        #expect(cache.count == 1)
    }

    final class Box: @unchecked Sendable {
        var value: Int
        init(_ value: Int) { self.value = value }
    }
}
