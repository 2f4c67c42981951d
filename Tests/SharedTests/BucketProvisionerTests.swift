import Shared
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct BucketProvisionerTests {
    let naming = try! BucketNaming(prefix: "pacelane-whatsapp")
    let user = UserID("123e4567-e89b-12d3-a456-426614174000")!

    @Test func createsOnceThenReusesTheRow() throws {
        let storage = InMemoryObjectStorage()
        let provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: InMemoryBucketMappingStore(), locks: InMemoryExclusiveLocks())
        let first = try provisioner.ensureUserBucket(user)
        let second = try provisioner.ensureUserBucket(user)
        #expect(first.name.value == "pacelane-whatsapp-user-oj5dig")
        #expect(first.isNew && !second.isNew)
        #expect(second.name == first.name)
        #expect(storage.bucketNames == ["pacelane-whatsapp-user-oj5dig"])
    }

    @Test func aNameTakenInStorageGetsTheFallback() throws {
        let legacy = naming.legacyUserBucket(user.value).value
        let storage = InMemoryObjectStorage(foreignNames: [legacy])
        let provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: InMemoryBucketMappingStore(), locks: InMemoryExclusiveLocks())
        let ensured = try provisioner.ensureUserBucket(user)
        #expect(ensured.name == naming.fallbackUserBucket(user.value))
        #expect(ensured.isNew)
    }

    @Test func aNameTakenByAnotherUsersRowGetsTheFallback() throws {
        let mappings = InMemoryBucketMappingStore()
        let other = UserID("00000000-0000-0000-0000-000000000001")!
        try mappings.insert(userID: other, bucket: naming.legacyUserBucket(user.value).value)
        let provisioner = BucketProvisioner(naming: naming, storage: InMemoryObjectStorage(), mappings: mappings, locks: InMemoryExclusiveLocks())
        #expect(try provisioner.ensureUserBucket(user).name == naming.fallbackUserBucket(user.value))
        #expect(try mappings.bucketName(forUser: user) == naming.fallbackUserBucket(user.value).value)
    }

    @Test func storageFailureIsA502AndWritesNoRow() throws {
        let storage = InMemoryObjectStorage()
        storage.setFailing(true)
        let mappings = InMemoryBucketMappingStore()
        let provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: mappings, locks: InMemoryExclusiveLocks())
        do {
            _ = try provisioner.ensureUserBucket(user)
            Issue.record("expected a failure")
        } catch {
            #expect(error.status == .badGateway)
        }
        #expect(try mappings.bucketName(forUser: user) == nil)
    }

    @Test func concurrentEnsuresMakeOneBucketAndOneNew() throws {
        let storage = InMemoryObjectStorage()
        let provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: InMemoryBucketMappingStore(), locks: InMemoryExclusiveLocks())
        let results = Mutex<[BucketProvisioner.Ensured]>([])
        let box = ProvisionerBox(provisioner)
        runConcurrently(32) { _ in
            if let ensured = try? box.provisioner.ensureUserBucket(user) {
                results.withLock { $0.append(ensured) }
            }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 32)
        #expect(Set(all.map(\.name)).count == 1)
        #expect(all.filter(\.isNew).count == 1)
        #expect(storage.bucketNames.count == 1)
    }
}

/// Lets the (lock-protected) provisioner cross into test threads.
final class ProvisionerBox: @unchecked Sendable {
    let provisioner: BucketProvisioner
    init(_ provisioner: BucketProvisioner) { self.provisioner = provisioner }
}
