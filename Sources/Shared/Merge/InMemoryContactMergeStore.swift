import Synchronization

/// `ContactMergeStore` in memory, for tests of the runner: contact rows, and which objects
/// have a row pointing at them in which bucket (what the gate and `audio_files` say live).
package final class InMemoryContactMergeStore: ContactMergeStore, Sendable {
    private struct State {
        var contacts: [String: ContactBucket] = [:]
        /// Bucket → names of the objects a row points at there.
        var rows: [String: Set<String>] = [:]
        var locked: Set<String> = []
        var runningAudio: [String: Int] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Records a contact bucket, as the webhook's first message does.
    package func add(_ contact: ContactBucket) {
        state.withLock { $0.contacts[contact.contactID] = contact }
    }

    /// A row (a message's gate row, an audio file) now points at `path` in `bucket`.
    package func addRow(bucket: String, path: String) {
        state.withLock { _ = $0.rows[bucket, default: []].insert(path) }
    }

    /// The objects rows point at in `bucket`.
    package func rows(in bucket: String) -> Set<String> {
        state.withLock { $0.rows[bucket] ?? [] }
    }

    /// Counts the request (the live store also queues the job).
    package func requestMerge(_ contactID: String) throws {
        state.withLock { $0.contacts[contactID]?.mergeRequests += 1 }
    }

    package func setRunningAudioJobs(_ count: Int, bucket: String) {
        state.withLock { $0.runningAudio[bucket] = count }
    }

    package func contact(_ contactID: String) throws -> ContactBucket? {
        state.withLock { $0.contacts[contactID] }
    }

    package func lock(_ contactID: String) throws -> Bool {
        state.withLock { $0.locked.insert(contactID).inserted }
    }

    package func unlock(_ contactID: String) throws {
        _ = state.withLock { $0.locked.remove(contactID) }
    }

    package func begin(_ contactID: String, user: UserID, bucket: String) throws {
        state.withLock { state in
            state.contacts[contactID]?.state = .merging
            state.contacts[contactID]?.targetUser = user
            state.contacts[contactID]?.targetBucket = bucket
        }
    }

    /// Rows move with their objects; an object without a row anywhere is an orphan, moved at
    /// once when `graceSeconds` is 0 and waiting otherwise.
    package func moveRows(
        contactID: String, from: String, user: UserID, to: String, scheme: String, objects: [MergedObject], graceSeconds: Int
    ) throws -> [String: Bool] {
        state.withLock { state in
            var settled: [String: Bool] = [:]
            for object in objects {
                if state.rows[from]?.remove(object.path) != nil { state.rows[to, default: []].insert(object.path) }
                settled[object.path] = state.rows[to]?.contains(object.path) == true || graceSeconds == 0
            }
            return settled
        }
    }

    package func pathsWithRows(in bucket: String, scheme: String, paths: [String]) throws -> Set<String> {
        state.withLock { ($0.rows[bucket] ?? []).intersection(paths) }
    }

    package func runningAudioJobs(bucket: String) throws -> Int {
        state.withLock { $0.runningAudio[bucket] ?? 0 }
    }

    package func finishMerged(_ contactID: String, user: UserID, objectsMoved: Int, requests: Int64, note: String?) throws -> Bool {
        state.withLock { state in
            guard var contact = state.contacts[contactID], contact.mergeRequests == requests else { return false }
            contact.state = .merged
            contact.mergedUser = user
            contact.objectsMoved += objectsMoved
            contact.note = note
            state.contacts[contactID] = contact
            return true
        }
    }

    package func leave(_ contactID: String, state newState: ContactBucket.State, note: String) throws {
        state.withLock { state in
            state.contacts[contactID]?.state = newState
            state.contacts[contactID]?.targetUser = nil
            state.contacts[contactID]?.targetBucket = nil
            state.contacts[contactID]?.note = note
        }
    }

    package func setNote(_ contactID: String, _ note: String) throws {
        state.withLock { $0.contacts[contactID]?.note = note }
    }

    package func list(state wanted: ContactBucket.State?, limit: Int) throws -> [ContactBucket] {
        state.withLock { state in
            Array(state.contacts.values.filter { wanted == nil || $0.state == wanted }.sorted { $0.contactID < $1.contactID }.prefix(limit))
        }
    }

    package func unmerged(phoneKeys: [String], contactIDs: [String]) throws -> [ContactBucket] {
        state.withLock { state in
            state.contacts.values.filter { contact in
                contact.state != .merged && (contact.phoneKey.map(phoneKeys.contains) == true || contactIDs.contains(contact.contactID))
            }
            .sorted { $0.contactID < $1.contactID }
        }
    }

    package func countsByState() throws -> [ContactBucket.State: Int] {
        state.withLock { state in state.contacts.values.reduce(into: [:]) { $0[$1.state, default: 0] += 1 } }
    }
}
