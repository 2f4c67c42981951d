package import Logging

/// Runs one `merge` job: a contact bucket's messages and voice notes move into the bucket of the
/// user its number now identifies (README "Contact merges").
///
/// Every object goes the same way, and every step may be cut short and run again:
/// 1. copied create-only into the user's bucket under the same name, then read back there and
///    compared (size and SHA-256) with the contact's copy; a different object already under
///    that name is a conflict, left alone and reported;
/// 2. its rows (the webhook's gate row, `meeting_notes`, `audio_files`, `knowledge_files`,
///    waiting audio jobs) move to the user in one transaction (`userbuckets_merge_rows`);
/// 3. only then is the contact's copy deleted.
/// A crash between any two steps leaves an object in the contact bucket whose copy, if any, is
/// identical: the next attempt finds it, skips the write and goes on. Before the first copy the
/// target is recorded; an attempt that finds the number now points at someone else first
/// removes the copies an earlier attempt left with the first user (those no row points at).
/// When nothing is left the contact bucket is deleted (storage refuses if a message landed
/// meanwhile, and the job runs again).
package final class ContactMergeRunner: JobRunner {
    private let store: any ContactMergeStore
    private let storage: any ObjectStorage
    private let identifier: UserIdentifier
    private let numbers: NumberMemo
    private let provisioner: BucketProvisioner
    private let logger: Logger
    /// How long an object without its row waits before it moves as an orphan.
    private let graceSeconds: Int
    private let outcomes = CounterFamily(prefix: "userbuckets_merges_total{outcome=\"")

    package init(
        store: any ContactMergeStore, storage: any ObjectStorage, identifier: UserIdentifier, numbers: NumberMemo,
        provisioner: BucketProvisioner, logger: Logger, graceSeconds: Int = 120
    ) {
        self.store = store
        self.storage = storage
        self.identifier = identifier
        self.numbers = numbers
        self.provisioner = provisioner
        self.logger = logger
        self.graceSeconds = graceSeconds
    }

    /// Over `core`'s stores; `UB_MERGE_GRACE_SECONDS` (120) is how long an object without its
    /// row waits before it moves as an orphan.
    package convenience init(core: CoreServices, environment: Environment, logger: Logger) throws {
        self.init(
            store: core.merges, storage: core.storage, identifier: core.identifier, numbers: core.numbers, provisioner: core.provisioner,
            logger: logger, graceSeconds: try environment.integer("UB_MERGE_GRACE_SECONDS", default: 120))
    }

    package func run(_ job: Job) -> JobOutcome {
        guard let contactID = job.payload["contact_id"]?.stringValue, !contactID.isEmpty else {
            return .fail(reason: "malformed job payload")
        }
        let outcome: JobOutcome
        do {
            outcome = try merge(contactID)
        } catch {
            outcome = .retry(reason: "merging: \(error)", delaySeconds: AudioJobRunner.backoff(job.attempts))
        }
        switch outcome {
        case .done: outcomes.increment("merged")
        case .skipped(let result): outcomes.increment(result["reason"]?.stringValue ?? "skipped")
        case .retry: outcomes.increment(job.attempts >= job.maxAttempts ? "failed" : "retry")
        case .fail: outcomes.increment("failed")
        }
        return outcome
    }

    /// What one pass over the contact bucket did.
    private struct Pass {
        var moved = 0
        var waiting = 0
        var conflicts: [String] = []
    }

    private func merge(_ contactID: String) throws -> JobOutcome {
        guard try store.lock(contactID) else {
            return .retry(reason: "another merge of this contact is running", delaySeconds: 30)
        }
        defer { try? store.unlock(contactID) }
        // Asked again while it ran (identification's own mapping write, a message that came
        // in): the next pass is cheap when nothing changed.
        var moved = 0
        for _ in 0..<4 {
            if let outcome = try mergeOnce(contactID, moved: &moved) { return outcome }
        }
        return .retry(reason: "asked to merge again while merging, four times (messages keep coming in)", delaySeconds: 5)
    }

    /// One merge; nil when it should run again at once.
    /// - Parameter moved: objects moved by this run so far (earlier rounds included).
    private func mergeOnce(_ contactID: String, moved: inout Int) throws -> JobOutcome? {
        guard let contact = try store.contact(contactID) else { return .skipped(Self.reason("no_contact_bucket")) }
        guard contact.state != .merged else { return .skipped(Self.reason("already_merged")) }
        guard let source = BucketName(contact.bucket) else { return .fail(reason: "the contact bucket's name breaks the naming rules") }

        let number = contact.phoneKey.flatMap { numbers.normalize("+" + $0) }
        let identification = try identifier.identify(number: number, contactID: contactID, logger: logger)
        let candidate: UserCandidate
        switch identification {
        case .ambiguous(let step):
            try abandon(contact, source: source)
            try store.leave(contactID, state: .ambiguous, note: "the number matches several users (\(step.rawValue)): not merged")
            logger.warning("contact bucket not merged", metadata: [LogKey.bucket: .string(source.value), LogKey.outcome: "ambiguous"])
            return .skipped(Self.reason("ambiguous", contactBucket: source))
        case .notFound:
            try abandon(contact, source: source)
            try store.leave(contactID, state: .open, note: "no user has this number yet")
            return .skipped(Self.reason("unlinked", contactBucket: source))
        case .identified(let found, _):
            candidate = found
        }
        let target = try provisioner.ensureUserBucket(candidate.userID, known: candidate.bucketName).name
        guard target != source else { return .fail(reason: "the contact bucket is the user's own bucket") }

        if contact.state == .merging, let earlier = contact.targetBucket.flatMap(BucketName.init), earlier != target {
            try removeCopies(in: earlier, of: source)
        }
        try store.begin(contactID, user: candidate.userID, bucket: target.value)

        // A message stored while a pass runs is found by the next one; the last pass says what
        // is left.
        var pass = Pass()
        if try storage.bucketExists(source) {
            for _ in 0..<3 {
                pass = Pass()
                try movePass(contactID: contactID, from: source, to: target, user: candidate.userID, into: &pass)
                moved += pass.moved
                if pass.moved == 0 { break }
            }
        }
        if !pass.conflicts.isEmpty {
            try store.setNote(contactID, "\(pass.conflicts.count) objects differ from the user's under the same name")
            return .fail(
                reason: "\(pass.conflicts.count) objects already exist in \(target.value) with other content (first: \(pass.conflicts[0])); "
                    + "left in \(source.value)")
        }
        if pass.waiting > 0 {
            return .retry(reason: "\(pass.waiting) objects wait for their rows (a message being stored)", delaySeconds: 30)
        }
        if try store.runningAudioJobs(bucket: source.value) > 0 {
            return .retry(reason: "an audio job of this contact is running", delaySeconds: 30)
        }
        let kept = try count(in: source, prefix: "")
        var deleted = false
        if kept == 0 {
            switch try storage.deleteBucket(source) {
            case .deleted, .notFound: deleted = true
            case .notEmpty: return nil  // an object arrived meanwhile: merge it too
            }
            provisioner.forgetContactBucket(source)
        }
        let note = kept > 0 ? "\(kept) objects outside the message and audio folders stay in the contact bucket" : nil
        guard
            try store.finishMerged(
                contactID, user: candidate.userID, objectsMoved: moved, requests: contact.mergeRequests, note: note)
        else {
            return nil
        }
        logger.info(
            "contact bucket merged",
            metadata: [
                LogKey.bucket: .string(target.value), "contact_bucket": .string(source.value), "objects": .stringConvertible(moved),
                LogKey.userID: .string(candidate.userID.value),
            ])
        return .done(
            .object([
                "contact_bucket": .string(source.value), "user_bucket": .string(target.value), "user_id": .string(candidate.userID.value),
                "objects_moved": .integer(moved), "bucket_deleted": .bool(deleted), "objects_kept": .integer(kept),
            ]))
    }

    /// One pass: every object under the message and audio folders, a page at a time.
    private func movePass(contactID: String, from source: BucketName, to target: BucketName, user: UserID, into pass: inout Pass) throws {
        for prefix in ContactMergeJob.prefixes {
            var token: String?
            repeat {
                let page = try storage.listObjects(in: source, prefix: prefix, pageToken: token, maxResults: 200)
                token = page.nextPageToken
                var verified: [MergedObject] = []
                for object in page.objects {
                    guard let name = ObjectName(object.name) else { continue }
                    if let copied = try copy(name, contentType: object.contentType, from: source, to: target) {
                        verified.append(copied)
                    } else {
                        pass.conflicts.append(object.name)
                    }
                }
                guard !verified.isEmpty else { continue }
                let settled = try store.moveRows(
                    contactID: contactID, from: source.value, user: user, to: target.value, scheme: storage.uriScheme, objects: verified,
                    graceSeconds: graceSeconds)
                for object in verified {
                    guard settled[object.path] == true, let name = ObjectName(object.path) else {
                        pass.waiting += 1
                        continue
                    }
                    if try storage.deleteObject(name, in: source) { Metrics.shared.increment("userbuckets_merge_objects_moved_total") }
                    pass.moved += 1
                }
            } while token != nil
        }
    }

    /// Copies one object create-only and verifies the user's copy; nil when the user's bucket
    /// holds a different object under that name.
    private func copy(_ name: ObjectName, contentType: String?, from source: BucketName, to target: BucketName) throws -> MergedObject? {
        guard let bytes = try read(name, in: source) else {
            throw StorageError(.notFound, "\(name.value) went away while merging")
        }
        let digest = Digest.hex(Digest.sha256(bytes))
        _ = try storage.putObject(
            name, in: target, contentType: contentType ?? Self.contentType(of: name.value), data: bytes, ifAbsent: true)
        guard let copied = try read(name, in: target), copied.count == bytes.count, Digest.hex(Digest.sha256(copied)) == digest else {
            return nil
        }
        return MergedObject(path: name.value, sha256: digest, size: bytes.count)
    }

    /// A merge that stopped half-way and now has nobody to go to: the copies it left with its
    /// target (those no row points at) are removed, so each object is in one bucket only.
    private func abandon(_ contact: ContactBucket, source: BucketName) throws {
        guard contact.state == .merging, let earlier = contact.targetBucket.flatMap(BucketName.init) else { return }
        try removeCopies(in: earlier, of: source)
    }

    /// Removes what an earlier attempt copied into `earlier` (the user the number pointed at
    /// then): the objects of `source` that `earlier` holds identically and no row points at.
    private func removeCopies(in earlier: BucketName, of source: BucketName) throws {
        guard try storage.bucketExists(source), try storage.bucketExists(earlier) else { return }
        for prefix in ContactMergeJob.prefixes {
            var token: String?
            repeat {
                let page = try storage.listObjects(in: source, prefix: prefix, pageToken: token, maxResults: 200)
                token = page.nextPageToken
                let withRows = try store.pathsWithRows(in: earlier.value, scheme: storage.uriScheme, paths: page.objects.map(\.name))
                for object in page.objects where !withRows.contains(object.name) {
                    guard let name = ObjectName(object.name), let original = try read(name, in: source),
                        let copy = try read(name, in: earlier), copy == original
                    else { continue }
                    _ = try storage.deleteObject(name, in: earlier)
                }
            } while token != nil
        }
    }

    private func read(_ name: ObjectName, in bucket: BucketName) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let found = try storage.readObject(name, in: bucket) { chunk in bytes.append(contentsOf: chunk) }
        return found == nil ? nil : bytes
    }

    private func count(in bucket: BucketName, prefix: String) throws -> Int {
        guard try storage.bucketExists(bucket) else { return 0 }
        var total = 0
        var token: String?
        repeat {
            let page = try storage.listObjects(in: bucket, prefix: prefix, pageToken: token, maxResults: 1000)
            total += page.objects.count
            token = page.nextPageToken
        } while token != nil
        return total
    }

    private static func reason(_ reason: String, contactBucket: BucketName? = nil) -> JSON {
        var result = JSONObject()
        result["reason"] = .string(reason)
        if let contactBucket { result["contact_bucket"] = .string(contactBucket.value) }
        return .object(result)
    }

    /// For backends that keep no content type (the filesystem): by the name, as the writers set it.
    static func contentType(of name: String) -> String {
        if name.hasSuffix(".json") { return "application/json" }
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        let byExtension = [
            "ogg": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4", "wav": "audio/wav", "flac": "audio/flac", "webm": "audio/webm",
        ]
        return byExtension[String(name[name.index(after: dot)...])] ?? "application/octet-stream"
    }
}
