import Logging
import Shared
import Testing

/// The merge runner's decisions on in-memory stores: what it leaves alone and why (the
/// database side is tested for real in IntegrationTests/ContactMergeTests).
@Suite struct ContactMergeRunnerTests {
    let naming = try! BucketNaming(prefix: "pacelane-whatsapp")
    let user = UserID("123e4567-e89b-12d3-a456-426614174000")!
    let number = "+5511987650001"
    let storage = InMemoryObjectStorage()
    let store = InMemoryContactMergeStore()
    let directory = InMemoryUserDirectory()
    let contactID = "contact_77_account_3"

    var contactBucket: BucketName { naming.contactBucket(contactID) }

    /// A contact bucket holding `paths` (each with a row), whose number `user` now has.
    func setUp(_ paths: [String], linked: Bool = true) throws {
        _ = try storage.createBucket(contactBucket)
        for path in paths {
            _ = try storage.putObject(ObjectName(path)!, in: contactBucket, contentType: "application/json", data: Array(path.utf8), ifAbsent: true)
            store.addRow(bucket: contactBucket.value, path: path)
        }
        store.add(ContactBucket(contactID: contactID, bucket: contactBucket.value, phoneKey: PhoneNormalizer().normalize(number)!.lookupKey))
        directory.addUser(user)
        if linked { directory.addMapping(user, number: number) }
    }

    func runner(grace: Int = 60) -> (ContactMergeRunner, BucketProvisioner) {
        let provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: InMemoryBucketMappingStore(), locks: InMemoryExclusiveLocks())
        let runner = ContactMergeRunner(
            store: store, storage: storage, identifier: UserIdentifier(directory: directory), numbers: NumberMemo(normalizer: PhoneNormalizer()),
            provisioner: provisioner, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), graceSeconds: grace)
        return (runner, provisioner)
    }

    var job: Job {
        Job(id: 1, kind: ContactMergeJob.kind, payload: ContactMergeJob.payload(contactID: contactID), status: .running, attempts: 1, maxAttempts: 8)
    }

    func names(in bucket: BucketName) throws -> [String] {
        try storage.listObjects(in: bucket, prefix: "", pageToken: nil, maxResults: 100).objects.map(\.name)
    }

    @Test func movesEveryObjectAndItsRowsThenDeletesTheBucket() throws {
        let paths = ["whatsapp-messages/2026-05-22/1/10.json", "whatsapp-audio/2026-05-22/1/10_5.ogg"]
        try setUp(paths)
        let (runner, provisioner) = runner()
        guard case .done(let result) = runner.run(job) else {
            Issue.record("not merged")
            return
        }
        let target = try provisioner.ensureUserBucket(user).name
        #expect(try names(in: target).sorted() == paths.sorted())
        #expect(store.rows(in: target.value) == Set(paths))
        #expect(try !storage.bucketExists(contactBucket))
        #expect(result["objects_moved"] == .integer(2))
        #expect(try store.contact(contactID)?.state == .merged)
    }

    @Test func anotherObjectUnderTheSameNameIsAConflictAndStays() throws {
        let path = "whatsapp-messages/2026-05-22/1/11.json"
        try setUp([path])
        let (runner, provisioner) = runner()
        let target = try provisioner.ensureUserBucket(user).name
        _ = try storage.putObject(ObjectName(path)!, in: target, contentType: "application/json", data: [9, 9], ifAbsent: true)
        guard case .fail(let reason) = runner.run(job) else {
            Issue.record("a conflict must fail the merge")
            return
        }
        #expect(reason.contains("other content"))
        #expect(try names(in: contactBucket) == [path])  // both kept, each in its own bucket
        #expect(store.rows(in: contactBucket.value) == [path])
        #expect(try store.contact(contactID)?.state == .merging)
        #expect(try store.contact(contactID)?.note?.contains("differ") == true)
    }

    @Test func objectsOutsideTheMessageFoldersKeepTheBucket() throws {
        try setUp(["whatsapp-messages/2026-05-22/1/12.json"])
        _ = try storage.putObject(ObjectName("notes/kept.txt")!, in: contactBucket, contentType: "text/plain", data: [1], ifAbsent: true)
        guard case .done(let result) = runner().0.run(job) else {
            Issue.record("not merged")
            return
        }
        #expect(result["objects_kept"] == .integer(1))
        #expect(try names(in: contactBucket) == ["notes/kept.txt"])
        #expect(try store.contact(contactID)?.note?.contains("stay in the contact bucket") == true)
    }

    @Test func anObjectWithoutItsRowWaitsAndARunningAudioJobDefersTheEnd() throws {
        let path = "whatsapp-messages/2026-05-22/1/13.json"
        try setUp([])
        _ = try storage.putObject(ObjectName(path)!, in: contactBucket, contentType: "application/json", data: [1], ifAbsent: true)
        guard case .retry(let reason, _) = runner().0.run(job) else {
            Issue.record("an object without a row must wait")
            return
        }
        #expect(reason.contains("wait for their rows"))
        #expect(try names(in: contactBucket) == [path])
        // Its row arrives; an audio job of the contact is still running.
        store.addRow(bucket: contactBucket.value, path: path)
        store.setRunningAudioJobs(1, bucket: contactBucket.value)
        guard case .retry(let running, _) = runner().0.run(job) else {
            Issue.record("a running audio job must defer the end")
            return
        }
        #expect(running.contains("audio job"))
        store.setRunningAudioJobs(0, bucket: contactBucket.value)
        guard case .done = runner().0.run(job) else {
            Issue.record("not merged")
            return
        }
        #expect(try !storage.bucketExists(contactBucket))
    }

    @Test func aHalfDoneMergeWhoseNumberBecameAmbiguousTakesItsCopiesBack() throws {
        let path = "whatsapp-messages/2026-05-22/1/15.json"
        try setUp([path])
        let (runner, provisioner) = runner()
        // An earlier attempt copied the object to the user and stopped before its row moved.
        let target = try provisioner.ensureUserBucket(user).name
        _ = try storage.putObject(ObjectName(path)!, in: target, contentType: "application/json", data: Array(path.utf8), ifAbsent: true)
        try store.begin(contactID, user: user, bucket: target.value)
        let other = UserID("323e4567-e89b-12d3-a456-426614174000")!
        directory.addUser(other)
        directory.addMapping(other, number: number)
        guard case .skipped(let result) = runner.run(job) else {
            Issue.record("two users have the number")
            return
        }
        #expect(result["reason"] == .string("ambiguous"))
        #expect(try names(in: target).isEmpty)  // the copy is gone: the object is in one bucket
        #expect(try names(in: contactBucket) == [path])
        #expect(try store.contact(contactID)?.state == .ambiguous)
        #expect(try store.contact(contactID)?.targetBucket == nil)
    }

    @Test func anAmbiguousNumberAndAnUnlinkedOneAreLeftAlone() throws {
        try setUp(["whatsapp-messages/2026-05-22/1/14.json"], linked: false)
        guard case .skipped(let unlinked) = runner().0.run(job) else {
            Issue.record("nobody has the number")
            return
        }
        #expect(unlinked["reason"] == .string("unlinked"))
        let other = UserID("223e4567-e89b-12d3-a456-426614174000")!
        directory.addUser(other)
        directory.addMapping(other, number: number)
        directory.addMapping(user, number: number)
        guard case .skipped(let ambiguous) = runner().0.run(job) else {
            Issue.record("two users have the number")
            return
        }
        #expect(ambiguous["reason"] == .string("ambiguous"))
        #expect(try store.contact(contactID)?.state == .ambiguous)
        #expect(try names(in: contactBucket).count == 1)
    }
}
