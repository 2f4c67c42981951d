/// The database side of contact merges (`userbuckets_contact_buckets` and the rows that point
/// at objects): the seam between `ContactMergeRunner` and PostgreSQL.
package protocol ContactMergeStore: AnyObject {
    /// The contact bucket recorded for `contactID`, if any.
    func contact(_ contactID: String) throws -> ContactBucket?

    /// Asks for a merge of `contactID` (queues its job, or runs it again), as the triggers do.
    func requestMerge(_ contactID: String) throws

    /// Holds the merge of `contactID` for this session (false: another merge holds it).
    func lock(_ contactID: String) throws -> Bool

    func unlock(_ contactID: String) throws

    /// Marks the merge started, copying into `bucket` of `user` (before the first copy, so a
    /// later attempt knows where copies may be).
    func begin(_ contactID: String, user: UserID, bucket: String) throws

    /// Moves the rows of `objects` (copied and verified into `to`) to `user`, in one
    /// transaction; answers, per object, whether the contact's copy may now be deleted.
    /// - Parameter graceSeconds: how long an object without its row waits before it is moved
    ///   as an orphan.
    func moveRows(contactID: String, from: String, user: UserID, to: String, scheme: String, objects: [MergedObject], graceSeconds: Int)
        throws -> [String: Bool]

    /// Of `paths`, those some row (a message's gate row, an audio file) points at in `bucket`.
    func pathsWithRows(in bucket: String, scheme: String, paths: [String]) throws -> Set<String>

    /// Audio jobs of `bucket` running now (their objects are on the way).
    func runningAudioJobs(bucket: String) throws -> Int

    /// Ends a merge: `merged` only if nobody asked for a merge since `requests` was read
    /// (false: run again).
    func finishMerged(_ contactID: String, user: UserID, objectsMoved: Int, requests: Int64, note: String?) throws -> Bool

    /// Records a merge that did not happen (`ambiguous`, or still `open` with no user), with no
    /// target (the runner has removed a half-done merge's copies first).
    func leave(_ contactID: String, state: ContactBucket.State, note: String) throws

    /// Says what stopped a merge (its state and target stay).
    func setNote(_ contactID: String, _ note: String) throws

    /// Contact buckets (with their merge job), newest change first; nil `state`: all.
    func list(state: ContactBucket.State?, limit: Int) throws -> [ContactBucket]

    /// The contact buckets of these phone keys and contact ids not merged yet.
    func unmerged(phoneKeys: [String], contactIDs: [String]) throws -> [ContactBucket]

    /// How many contact buckets are in each state.
    func countsByState() throws -> [ContactBucket.State: Int]
}

extension ContactMergeStore {
    /// The contact buckets by state as Prometheus gauges; empty when the database cannot say.
    package func stateGauges() -> String {
        guard let counts = try? countsByState() else { return "" }
        return "# HELP userbuckets_contact_buckets Contact buckets now, by merge state.\n# TYPE userbuckets_contact_buckets gauge\n"
            + ContactBucket.State.allCases.map { "userbuckets_contact_buckets{state=\"\($0.rawValue)\"} \(counts[$0] ?? 0)\n" }.joined()
    }
}
