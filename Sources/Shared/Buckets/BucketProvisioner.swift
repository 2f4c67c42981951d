/// Makes sure a user's or contact's bucket exists and is recorded, exactly once (SPEC section 4).
///
/// For a user: an existing `user_bucket_mapping` row wins. Otherwise, under a database lock
/// keyed by the user id (so every process and host queues up), the legacy name is tried; if
/// another user's row or someone else in storage has it, the collision-free fallback is used.
/// The row is written in the same transaction as the lock, after the bucket exists. Storage
/// "already exists and is ours" counts as success, so exactly one caller reports a new bucket.
package final class BucketProvisioner {
    /// The bucket a caller ends up with.
    package struct Ensured: Sendable, Equatable {
        package let name: BucketName
        /// True only for the one call that created the bucket in storage.
        package let isNew: Bool
    }

    package let naming: BucketNaming
    package let storage: any ObjectStorage
    private let mappings: any BucketMappingStore
    private let locks: any ExclusiveLocks
    /// Contact buckets this worker has made or found: a contact's every message would otherwise
    /// cost a lock and a storage call. (Not shared: one provisioner per serving thread.)
    private var knownContactBuckets: Set<String> = []
    private let userEnsures = CounterFamily(prefix: "userbuckets_bucket_ensures_total{kind=\"user\",outcome=\"")
    private let contactEnsures = CounterFamily(prefix: "userbuckets_bucket_ensures_total{kind=\"contact\",outcome=\"")
    private lazy var userEnsureDuration = Metrics.HistogramSlots(
        Metrics.shared, name: "userbuckets_bucket_ensure_duration_seconds", labels: "kind=\"user\"")
    private lazy var contactEnsureDuration = Metrics.HistogramSlots(
        Metrics.shared, name: "userbuckets_bucket_ensure_duration_seconds", labels: "kind=\"contact\"")

    package init(naming: BucketNaming, storage: any ObjectStorage, mappings: any BucketMappingStore, locks: any ExclusiveLocks) {
        self.naming = naming
        self.storage = storage
        self.mappings = mappings
        self.locks = locks
    }

    /// Ensures the bucket of `userID`. `known` is the mapping row's name, already checked
    /// (`UserCandidate.bucketName`), when the caller read it (it saves a query on the hot path).
    package func ensureUserBucket(_ userID: UserID, known: BucketName? = nil) throws(ServiceError) -> Ensured {
        try counted("user") { () throws(ServiceError) in try ensureUserBucketUncounted(userID, known: known) }
    }

    private func ensureUserBucketUncounted(_ userID: UserID, known: BucketName?) throws(ServiceError) -> Ensured {
        if let known { return Ensured(name: known, isNew: false) }
        return try ServiceError.catching {
            if let recorded = try mappings.bucketName(forUser: userID), let name = BucketName(recorded) {
                return Ensured(name: name, isNew: false)
            }
            return try locks.withExclusiveLock("user:" + userID.value) {
                if let recorded = try mappings.bucketName(forUser: userID), let name = BucketName(recorded) {
                    return Ensured(name: name, isNew: false)
                }
                let ensured = try createUserBucket(userID)
                try mappings.insert(userID: userID, bucket: ensured.name.value)
                return ensured
            }
        }
    }

    private func createUserBucket(_ userID: UserID) throws -> Ensured {
        let legacy = naming.legacyUserBucket(userID.value)
        if let owner = try mappings.owner(ofBucket: legacy.value), owner != userID {
            return try createFallback(userID)
        }
        // The legacy name is global: another user's lock does not cover it, so take its lock too,
        // and look at its owner again under it (another user may have taken it meanwhile).
        return try locks.withExclusiveLock("bucket:" + legacy.value) {
            if let owner = try mappings.owner(ofBucket: legacy.value), owner != userID {
                return try createFallback(userID)
            }
            do {
                return Ensured(name: legacy, isNew: try storage.createBucket(legacy) == .created)
            } catch let error as StorageError where error.code == .nameUnavailable {
                return try createFallback(userID)
            }
        }
    }

    private func createFallback(_ userID: UserID) throws -> Ensured {
        let fallback = naming.fallbackUserBucket(userID.value)
        return Ensured(name: fallback, isNew: try storage.createBucket(fallback) == .created)
    }

    /// The bucket an identification leads to — the user's when it found one, else the contact's
    /// (nil when there is no contact id either) — ensured: identify-then-ensure in one place for
    /// the function, the webhook and the CLI.
    /// `phoneKey`: the number's `lookupKey`, recorded with a contact bucket (it is merged into
    /// the user's once that number gets one).
    package func ensureBucket(after identification: Identification, contactID: String?, phoneKey: String? = nil) throws(ServiceError) -> (
        bucket: Ensured, userID: UserID?
    )? {
        if let candidate = identification.candidate {
            return (try ensureUserBucket(candidate.userID, known: candidate.bucketName), candidate.userID)
        }
        guard let contactID else { return nil }
        return (try ensureContactBucket(contactID, phoneKey: phoneKey), nil)
    }

    /// Ensures the bucket of a contact that is not (yet) a known user, and records it (with
    /// `phoneKey`) for the merge once the number is linked.
    package func ensureContactBucket(_ contactID: String, phoneKey: String? = nil) throws(ServiceError) -> Ensured {
        try counted("contact") { () throws(ServiceError) in try ensureContactBucketUncounted(contactID, phoneKey: phoneKey) }
    }

    /// Counts the ensure by kind and outcome (existing, created, failed), with its duration.
    private func counted(_ kind: String, _ body: () throws(ServiceError) -> Ensured) throws(ServiceError) -> Ensured {
        let started = MonotonicClock.nanoseconds()
        let outcome: String
        defer {
            (kind == "user" ? userEnsures : contactEnsures).increment(outcome)
            (kind == "user" ? userEnsureDuration : contactEnsureDuration)
                .observe(Metrics.shared, seconds: Double(MonotonicClock.nanoseconds() - started) / 1e9)
        }
        do {
            let ensured = try body()
            outcome = ensured.isNew ? "created" : "existing"
            return ensured
        } catch {
            outcome = "failed"
            throw error
        }
    }

    private func ensureContactBucketUncounted(_ contactID: String, phoneKey: String?) throws(ServiceError) -> Ensured {
        let name = naming.contactBucket(contactID)
        if knownContactBuckets.contains(name.value) { return Ensured(name: name, isNew: false) }
        let ensured = try ServiceError.catching {
            try locks.withExclusiveLock("bucket:" + name.value) {
                let ensured = Ensured(name: name, isNew: try storage.createBucket(name) == .created)
                try mappings.recordContactBucket(contactID: contactID, bucket: name.value, phoneKey: phoneKey)
                return ensured
            }
        }
        if knownContactBuckets.count >= 10_000 { knownContactBuckets.removeAll(keepingCapacity: true) }
        knownContactBuckets.insert(name.value)
        return ensured
    }

    /// Forgets a contact bucket this worker thought existed (storage said it does not).
    package func forgetContactBucket(_ name: BucketName) {
        knownContactBuckets.remove(name.value)
    }
}
