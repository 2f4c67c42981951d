import Foundation
import Logging
import Shared
import Synchronization
import TestSupport
import Testing

/// Contact buckets merge into the user's bucket once the number is linked (issue 17): messages
/// from a number nobody has go to a contact bucket through nginx and the webhook; the number
/// is then linked the way the web app links it (SQL on `profiles` or `whatsapp_user_mapping`);
/// the merge runs in `job-worker --drain` (or in-process, with storage failing at each call).
/// Afterwards every message is in exactly one bucket, its rows point there, and a redelivery
/// writes nothing. On both backends.
@Suite(.onTheStack, .serialized)
struct ContactMergeTests {
    let fixtures = Fixtures()
    let webhook = ChatwootWebhookTests()
    let onGCS = Stack.shared.values["STORAGE_BACKEND"] == "gcs"

    var storage: any ObjectStorage {
        onGCS
            ? GCSObjectStorage(
                configuration: .init(baseURL: Stack.shared.values["STORAGE_EMULATOR_HOST"]!, projectID: "test"), client: CurlHTTPClient(),
                tokens: nil, signer: nil)
            : try! FileSystemObjectStorage(root: Stack.shared.storageDir)
    }

    /// One contact of the stand-in Chatwoot: a sender id of its own, writing from `phone`.
    struct Contact {
        let sender: Int
        let phone: String
        var id: String { "contact_\(sender)_account_3" }
        var mergeKey: String { "merge:" + id }
    }

    static func newContact(phone: String = Fixtures.randomMobile()) -> Contact {
        Contact(sender: Int.random(in: 10_000_000...99_999_999), phone: phone)
    }

    /// Delivers one text message of `contact` (from no number at all when `withNumber` is
    /// false); returns its id and the answer's bucket.
    @discardableResult
    func deliver(_ contact: Contact, id: Int = Int.random(in: 1_000_000...999_999_999), withNumber: Bool = true) throws -> (
        id: Int, bucket: String
    ) {
        var text = String(
            decoding: try ChatwootWebhookTests.message("01_message_created_incoming_text.json", id: id, phone: withNumber ? contact.phone : ""),
            as: UTF8.self)
        text = Self.withSender(contact.sender, replacing: 4101, in: text)
        let result = try webhook.deliver(Array(text.utf8))
        #expect(result.status == 200, "\(result.text)")
        let bucket = try #require(result.json?["bucketName"]?.stringValue)
        return (id, bucket)
    }

    /// The fixture's sender id (`"id":4101` and the like, never a digit run inside another
    /// number) replaced by `sender`.
    static func withSender(_ sender: Int, replacing original: Int, in text: String) -> String {
        text.replacing(":\(original),", with: ":\(sender),").replacing(":\(original)}", with: ":\(sender)}")
    }

    @discardableResult
    func drain(_ extra: String = "") throws -> String {
        try Stack.shared.shell(
            #"""
            UB_JOB_LEASE_SECONDS=2 UB_MERGE_GRACE_SECONDS=1 \#(extra) "$UB_BIN/job-worker" --drain 2>>"$UB_STATE/log/job-worker.log"; echo "exit=$?"
            """#
        ).output
    }

    /// The message and audio objects in `bucket` ([] when there is no such bucket).
    func objects(in bucket: String) throws -> [String] {
        let name = BucketName(bucket)!
        guard try storage.bucketExists(name) else { return [] }
        return try ContactMergeJob.prefixes.flatMap { prefix in
            try storage.listObjects(in: name, prefix: prefix, pageToken: nil, maxResults: 1000).objects.map(\.name)
        }
    }

    func bucketExists(_ bucket: String) throws -> Bool { try storage.bucketExists(BucketName(bucket)!) }

    func job(_ key: String) throws -> (status: String?, error: String?, result: String?) {
        let row = try fixtures.rows("SELECT status, last_error, result::text FROM userbuckets_jobs WHERE dedupe_key = $1", [key]).first
        return (row?[0] ?? nil, row?[1] ?? nil, row?[2] ?? nil)
    }

    func contactRow(_ contact: Contact) throws -> (state: String?, bucket: String?, moved: String?) {
        let row = try fixtures.rows(
            "SELECT state, bucket_name, objects_moved::text FROM userbuckets_contact_buckets WHERE contact_id = $1", [contact.id]
        ).first
        return (row?[0] ?? nil, row?[1] ?? nil, row?[2] ?? nil)
    }

    func userBucket(_ user: String) throws -> String? {
        try fixtures.rows("SELECT bucket_name FROM user_bucket_mapping WHERE user_id = $1::uuid", [user]).first?[0] ?? nil
    }

    /// Every message is in exactly one place: its gate row, its note and its object agree, in
    /// `bucket` (for `user`, or nobody's), and no other bucket holds it.
    func expectEachMessageOnce(
        _ ids: [Int], in bucket: String, user: String?, notIn others: [String], sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let here = Set(try objects(in: bucket))
        for id in ids {
            let rows = try fixtures.rows(
                """
                SELECT g.bucket_name, g.user_id::text, g.object_path, n.user_id::text, n.gcs_storage_path
                FROM userbuckets_chatwoot_messages g LEFT JOIN meeting_notes n ON n.id = g.meeting_note_id
                WHERE g.account_id = 3 AND g.message_id = $1::bigint
                """, [String(id)])
            #expect(rows.count == 1, "message \(id): \(rows.count) gate rows", sourceLocation: sourceLocation)
            guard let row = rows.first, let path = row[2] else { continue }
            #expect(row[0] == bucket, "message \(id)'s gate row points at \(row[0] ?? "-")", sourceLocation: sourceLocation)
            #expect(row[1] == user, sourceLocation: sourceLocation)
            #expect(row[3] == user, sourceLocation: sourceLocation)
            #expect(row[4]?.hasSuffix("://\(bucket)/\(path)") == true, "note points at \(row[4] ?? "-")", sourceLocation: sourceLocation)
            #expect(here.contains(path), "message \(id) is not in \(bucket)", sourceLocation: sourceLocation)
            for other in others {
                #expect(try !objects(in: other).contains(path), "message \(id) is also in \(other)", sourceLocation: sourceLocation)
            }
        }
    }

    /// An in-process merge runner over the stack's database and storage (`wrap` puts a
    /// decorator in front of the storage).
    func runner(_ wrap: (any ObjectStorage) -> any ObjectStorage = { $0 }) throws -> ContactMergeRunner {
        let core = try CoreServices.live(environment: Stack.shared.environment, authenticator: .refusingAll)
        return ContactMergeRunner(
            store: core.merges, storage: wrap(core.storage), identifier: core.identifier, numbers: core.numbers, provisioner: core.provisioner,
            logger: Logger(label: "merge-test", factory: { _ in SwiftLogNoOpLogHandler() }), graceSeconds: 1)
    }

    static func job(_ contact: Contact) -> Job {
        Job(id: 0, kind: ContactMergeJob.kind, payload: ContactMergeJob.payload(contactID: contact.id), status: .running, attempts: 1, maxAttempts: 8)
    }

    // MARK: the merge

    @Test func aProfileNumberSetByTheWebAppMergesTheContactBucket() throws {
        let contact = Self.newContact()
        let ids = try (0..<3).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        #expect(try objects(in: contactBucket).count == 3)
        #expect(try job(contact.mergeKey).status == nil)  // nobody has the number yet

        // The web app writes the profile directly.
        let user = try fixtures.user()
        try fixtures.rows("UPDATE profiles SET whatsapp_number = $2 WHERE user_id = $1::uuid", [user, contact.phone])
        #expect(try job(contact.mergeKey).status == "queued")
        #expect(try drain().contains("exit=0"))
        let outcome = try job(contact.mergeKey)
        #expect(outcome.status == "done", "\(outcome)")
        let bucket = try #require(try userBucket(user))
        try expectEachMessageOnce(ids, in: bucket, user: user, notIn: [contactBucket])
        #expect(try !bucketExists(contactBucket))
        #expect(try contactRow(contact).state == "merged")
        #expect(try contactRow(contact).moved == "3")

        // A redelivery during or after the merge writes nothing, and names the user's bucket.
        let again = try deliver(contact, id: ids[0])
        #expect(again.bucket == bucket)
        #expect(try objects(in: bucket).count == 3)
        #expect(try !bucketExists(contactBucket))
        // New messages go to the user directly.
        let next = try deliver(contact)
        #expect(next.bucket == bucket)
    }

    @Test func theLegacyFormOfTheNumberMergesIntoTheNinthDigitForm() throws {
        let subscriber = String(Int.random(in: 80_000_000...89_999_999))
        let contact = Self.newContact(phone: "+5511" + subscriber)  // the WhatsApp id without the 9
        let ids = try (0..<2).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: "+55119" + subscriber)
        #expect(try job(contact.mergeKey).status == "queued")
        try drain()
        #expect(try job(contact.mergeKey).status == "done")
        try expectEachMessageOnce(ids, in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
    }

    @Test func aNumberOfSeveralUsersIsNeverMerged() throws {
        let contact = Self.newContact()
        let ids = try (0..<2).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let first = try fixtures.user(phone: contact.phone)
        let second = try fixtures.user(phone: contact.phone)
        try drain()
        let outcome = try job(contact.mergeKey)
        #expect(outcome.status == "skipped")
        #expect(outcome.result?.contains("ambiguous") == true)
        #expect(try contactRow(contact).state == "ambiguous")
        try expectEachMessageOnce(ids, in: contactBucket, user: nil, notIn: [])
        #expect(try userBucket(first) == nil && userBucket(second) == nil)
        // Operators see it, without the number.
        let listed = try Stack.shared.shell(#""$UB_BIN/userbuckets" merges list --state ambiguous"#).output
        #expect(listed.contains(contact.id) && listed.contains("ambiguous"))
        #expect(!listed.contains(String(contact.phone.dropFirst())))
        // Run again by the bucket's name: still ambiguous, still untouched.
        let again = try Stack.shared.shell(#""$UB_BIN/userbuckets" merges run \#(contactBucket)"#).output
        #expect(again.contains(#""outcome":"skipped""#) && again.contains("ambiguous"), "\(again)")
        try expectEachMessageOnce(ids, in: contactBucket, user: nil, notIn: [])
    }

    @Test func aNumberCorrectedToAnotherUserBeforeTheMergeRanGoesToTheSecond() throws {
        let contact = Self.newContact()
        let ids = try (0..<2).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let wrong = try fixtures.user(whatsapp: contact.phone)
        try fixtures.rows("UPDATE profiles SET whatsapp_number = NULL WHERE user_id = $1::uuid", [wrong])
        let right = try fixtures.user(whatsapp: contact.phone)
        try drain()
        #expect(try job(contact.mergeKey).status == "done")
        try expectEachMessageOnce(ids, in: try #require(try userBucket(right)), user: right, notIn: [contactBucket])
        #expect(try userBucket(wrong) == nil)
    }

    @Test func aNumberCorrectedHalfWayThroughLeavesNothingWithTheFirstUser() throws {
        let contact = Self.newContact()
        let ids = try (0..<3).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let wrong = try fixtures.user()
        try fixtures.mapping(wrong, number: contact.phone)
        // Copies two objects into the first user's bucket, then storage fails before any row moves:
        // calls 0–1 look at the bucket and list it, 2–4 and 5–7 read, write and read back two
        // objects, 8 reads the third.
        guard case .retry = try runner({ FailingObjectStorage($0, failAt: 8) }).run(Self.job(contact)) else {
            Issue.record("the merge should have stopped")
            return
        }
        let wrongBucket = try #require(try userBucket(wrong))
        #expect(try objects(in: wrongBucket).count == 2)
        // An operator corrects the mapping before the merge runs again.
        let right = try fixtures.user()
        try fixtures.rows("UPDATE whatsapp_user_mapping SET user_id = $2::uuid WHERE user_id = $1::uuid", [wrong, right])
        #expect(try drain().contains("exit=0"))
        #expect(try job(contact.mergeKey).status == "done")
        try expectEachMessageOnce(ids, in: try #require(try userBucket(right)), user: right, notIn: [contactBucket, wrongBucket])
        #expect(try objects(in: wrongBucket).isEmpty)
    }

    /// Storage failing at each call of a merge in turn (the merge stops there, as if killed),
    /// then the merge run again: every time, each message ends in the user's bucket once.
    @Test func aMergeStoppedAtAnyStepFinishesExactlyOnceWhenRunAgain() throws {
        // How many storage calls a whole merge of two messages makes.
        let probe = Self.newContact()
        try (0..<2).forEach { _ in try deliver(probe) }
        try fixtures.mapping(try fixtures.user(), number: probe.phone)
        var counter: FailingObjectStorage?
        let counted = try runner { base in
            let storage = FailingObjectStorage(base)
            counter = storage
            return storage
        }
        guard case .done = counted.run(Self.job(probe)) else {
            Issue.record("the probe merge did not finish")
            return
        }
        let calls = try #require(counter?.callCount)
        #expect(calls > 8)
        for failAt in 0..<calls {
            let contact = Self.newContact()
            let ids = try (0..<2).map { _ in try deliver(contact).id }
            let contactBucket = try #require(try contactRow(contact).bucket)
            let user = try fixtures.user()
            try fixtures.mapping(user, number: contact.phone)
            let stopped = try runner { FailingObjectStorage($0, failAt: failAt) }.run(Self.job(contact))
            guard case .retry = stopped else {
                Issue.record("call \(failAt): \(stopped)")
                continue
            }
            // The queued job runs it again.
            try drain()
            let outcome = try job(contact.mergeKey)
            #expect(outcome.status == "done", "failing at call \(failAt): \(outcome)")
            try expectEachMessageOnce(ids, in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
            #expect(try !bucketExists(contactBucket), "failing at call \(failAt)")
        }
    }

    @Test func aWorkerKilledMidMergeLosesAndDoublesNothing() throws {
        let contact = Self.newContact()
        let ids = try (0..<200).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        // `kill -9` a worker later and later into the merge, each time a fresh one (its lease is
        // a second), until one is caught half-way: objects in both buckets.
        var caughtHalfWay = false
        for delay in ["0.05", "0.1", "0.2", "0.3", "0.45", "0.6", "0.8", "1.0", "1.3", "1.7", "2.2"] {
            try Stack.shared.shell(
                #"""
                UB_JOB_LEASE_SECONDS=1 UB_JOB_POLL_MS=20 "$UB_BIN/job-worker" 2>>"$UB_STATE/log/job-worker.log" & pid=$!
                sleep \#(delay); kill -9 $pid; wait $pid 2>/dev/null; sleep 1.1
                """#)
            let left = try objects(in: contactBucket).count
            let moved = try objects(in: try userBucket(user) ?? contactBucket).count
            if left > 0 && moved > 0 { caughtHalfWay = true }
            if left == 0 || caughtHalfWay { break }
        }
        #expect(caughtHalfWay)
        try drain()
        let outcome = try job(contact.mergeKey)
        #expect(outcome.status == "done", "\(outcome)")
        try expectEachMessageOnce(ids, in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
        #expect(try !bucketExists(contactBucket))
    }

    @Test func twoMergesOfOneContactAtOnceMoveEachObjectOnce() throws {
        let contact = Self.newContact()
        let ids = try (0..<10).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        nonisolated(unsafe) let runners = try (0..<2).map { _ in try runner() }
        let outcomes = Mutex<[JobOutcome]>([])
        runConcurrently(2) { index in
            let outcome = runners[index].run(Self.job(contact))
            outcomes.withLock { $0.append(outcome) }
        }
        let done = outcomes.withLock { $0 }.filter { if case .done = $0 { true } else { false } }
        #expect(done.count <= 1, "\(outcomes.withLock { $0 })")
        try drain()
        try expectEachMessageOnce(ids, in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
        #expect(try contactRow(contact).moved == "10")
    }

    @Test func aMessageArrivingWhileTheMergeRunsIsMergedToo() throws {
        let contact = Self.newContact()
        let ids = try (0..<2).map { _ in try deliver(contact).id }
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        // A message without a number (identified by contact id only) lands in the contact
        // bucket while the first copy is written.
        // A redelivery of the first message at the same moment writes nothing.
        let late = Mutex<(id: Int, bucket: String)?>(nil)
        let redelivered = Mutex<(id: Int, bucket: String)?>(nil)
        let merge = try runner { base in
            FailingObjectStorage(base) { _, _ in
                guard late.withLock({ $0 == nil }) else { return }
                late.withLock { $0 = (0, "") }
                let delivered = try? deliver(contact, withNumber: false)
                late.withLock { $0 = delivered }
                let again = try? deliver(contact, id: ids[0])
                redelivered.withLock { $0 = again }
            }
        }
        let outcome = merge.run(Self.job(contact))
        let arrived = try #require(late.withLock { $0 })
        #expect(arrived.bucket == contactBucket)
        #expect(redelivered.withLock { $0?.bucket } == contactBucket)  // the gate still points there
        if case .done = outcome {} else { try drain() }
        try drain()
        try expectEachMessageOnce(ids + [arrived.id], in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
        #expect(try !bucketExists(contactBucket))
    }

    @Test func aMessageStoredInTheContactBucketAfterTheMergeIsMergedAgain() throws {
        let contact = Self.newContact()
        let first = try deliver(contact).id
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        try drain()
        #expect(try contactRow(contact).state == "merged")
        // A worker that identified the sender before the link stores after the merge: what the
        // SQL the webhook's record runs sees (the contact bucket made again, a message in it).
        _ = try storage.createBucket(BucketName(contactBucket)!)
        try fixtures.rows("SELECT public.userbuckets_contact_seen($1, $2, NULL)", [contact.id, contactBucket])
        #expect(try job(contact.mergeKey).status == "queued")
        #expect(try contactRow(contact).state == "open")
        try drain()
        #expect(try contactRow(contact).state == "merged")
        #expect(try !bucketExists(contactBucket))
        try expectEachMessageOnce([first], in: try #require(try userBucket(user)), user: user, notIn: [contactBucket])
    }

    // MARK: voice notes

    /// Delivers a voice note of `contact` whose blob the stand-in Chatwoot serves; returns the message id.
    func deliverVoiceNote(_ contact: Contact, audio: AudioJobTests) throws -> Int {
        let id = Int.random(in: 1_000_000...999_999_999)
        var text = String(
            decoding: try ChatwootWebhookTests.message("02_message_created_incoming_audio_voice_note.json", id: id, phone: contact.phone),
            as: UTF8.self)
        text = text.replacing("https://chatwoot.example.com/rails/active_storage/blobs/redirect/", with: audio.chatwoot.url() + "/blobs/redirect/")
        text = Self.withSender(contact.sender, replacing: 4107, in: text)
        let result = try webhook.deliver(Array(text.utf8))
        #expect(result.status == 200, "\(result.text)")
        return id
    }

    /// The audio's `audio_files` row and the user's `knowledge_files` rows for it.
    func expectVoiceNote(_ id: Int, in bucket: String, user: String, notIn contactBucket: String) throws {
        let rows = try fixtures.rows(
            """
            SELECT a.user_id::text, a.file_path, a.transcription FROM audio_files a JOIN meeting_notes n ON n.id = a.meeting_note_id
            WHERE n.chatwoot_message_id = $1
            """, [String(id)])
        #expect(rows.count == 1)
        let path = try #require(rows.first?[1])
        #expect(rows.first?[0] == user)
        #expect(path.contains("://\(bucket)/whatsapp-audio/"), "\(path)")
        let object = path.components(separatedBy: "://\(bucket)/").last ?? path
        #expect(try objects(in: bucket).contains(object))
        #expect(try !objects(in: contactBucket).contains(object))
        let files = try fixtures.rows(
            "SELECT type, gcs_bucket, file_hash, transcription FROM knowledge_files WHERE user_id = $1::uuid AND gcs_path = $2", [user, path])
        #expect(files.count == 1, "knowledge files: \(files)")
        #expect(files.first?[0] == "audio")
        #expect(files.first?[1] == bucket)
        #expect(files.first?[2] == Digest.hex(Digest.sha256(AudioJobTests.voice)))
        #expect(files.first?[3] == "Lembrar de pagar a conta de luz amanhã.")
    }

    @Test func aVoiceNoteStoredBeforeTheLinkBecomesTheUsersKnowledgeFile() throws {
        let audio = try AudioJobTests()
        let contact = Self.newContact()
        let id = try deliverVoiceNote(contact, audio: audio)
        try audio.drain("UB_MERGE_GRACE_SECONDS=1")
        let contactBucket = try #require(try contactRow(contact).bucket)
        #expect(try objects(in: contactBucket).contains { $0.hasPrefix("whatsapp-audio/") })
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        try audio.drain("UB_MERGE_GRACE_SECONDS=1")
        #expect(try job(contact.mergeKey).status == "done")
        let bucket = try #require(try userBucket(user))
        try expectEachMessageOnce([id], in: bucket, user: user, notIn: [contactBucket])
        try expectVoiceNote(id, in: bucket, user: user, notIn: contactBucket)
        #expect(try !bucketExists(contactBucket))
    }

    @Test func aVoiceNoteStillQueuedAtTheLinkIsStoredInTheUsersBucket() throws {
        let audio = try AudioJobTests()
        let contact = Self.newContact()
        let id = try deliverVoiceNote(contact, audio: audio)
        let contactBucket = try #require(try contactRow(contact).bucket)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)
        // The merge runs before the audio job.
        guard case .done = try runner().run(Self.job(contact)) else {
            Issue.record("the merge did not finish")
            return
        }
        try audio.drain("UB_MERGE_GRACE_SECONDS=1")
        #expect(try job("audio:3:\(id):33012").status == "done")
        let bucket = try #require(try userBucket(user))
        try expectVoiceNote(id, in: bucket, user: user, notIn: contactBucket)
        #expect(try !bucketExists(contactBucket))
    }

    // MARK: operators

    @Test func operatorsSeeRunAndRetryMerges() throws {
        let contact = Self.newContact()
        let ids = try (0..<2).map { _ in try deliver(contact).id }
        let user = try fixtures.user()
        try fixtures.mapping(user, number: contact.phone)

        // verify-mapping names the contact bucket a linked number still owns.
        let client = Stack.shared.client()
        let verify = try client.post("user-bucket-service", json: #"{"action":"verify-mapping","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(verify.status == 200, "\(verify.text)")
        #expect(verify.text.contains(contact.id) && verify.text.contains("not merged yet"))
        #expect(!verify.text.contains(String(contact.phone.dropFirst(3))))

        let run = try Stack.shared.shell(#""$UB_BIN/userbuckets" merges run \#(contact.id); echo "exit=$?""#).output
        #expect(run.contains(#""outcome":"done""#), "\(run)")
        #expect(run.contains("exit=0"))
        try expectEachMessageOnce(ids, in: try #require(try userBucket(user)), user: user, notIn: [])
        let after = try client.post("user-bucket-service", json: #"{"action":"verify-mapping","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(!after.text.contains(contact.id))
        let listed = try Stack.shared.shell(#""$UB_BIN/userbuckets" merges list --state merged --limit 1000"#).output
        #expect(listed.contains(contact.id) && listed.contains(#""objectsMoved":2"#))

        // A failed merge: retry puts it back.
        try fixtures.rows(
            "UPDATE userbuckets_jobs SET status = 'failed', last_error = 'test' WHERE dedupe_key = $1", [contact.mergeKey])
        let retried = try Stack.shared.shell(#""$UB_BIN/userbuckets" merges retry --failed"#).output
        #expect(retried.contains(#""requeued":"#) && !retried.contains(#""requeued":0"#), "\(retried)")
        #expect(try job(contact.mergeKey).status == "queued")
        try drain()
        #expect(try job(contact.mergeKey).status == "skipped")  // already merged

        // Metrics: merges and objects moved, summed over every process of the host.
        let metrics = try client.send("GET", "/functions/v1/_metrics").text
        #expect(metrics.contains(#"userbuckets_merges_total{outcome="merged"}"#))
        #expect(metrics.contains("userbuckets_merge_objects_moved_total"))
        #expect(metrics.contains(#"userbuckets_contact_buckets{state="merged"}"#))
    }
}
