/// One contact bucket as `userbuckets_contact_buckets` (db/migrations/0009) records it: where a
/// number without a user got its messages, and how far its merge into the user's bucket went.
package struct ContactBucket: Sendable, Equatable {
    package enum State: String, Sendable, CaseIterable {
        /// Holds (or may hold) messages of a number no user has.
        case open
        /// A merge has started copying into `targetBucket`.
        case merging
        /// Emptied into `mergedUser`'s bucket.
        case merged
        /// The number matches several users: left alone (SPEC §3).
        case ambiguous
    }

    package var contactID: String
    package var bucket: String
    /// `PhoneNumber.lookupKey` of the contact's number, when a message carried one.
    package var phoneKey: String?
    package var state: State
    package var targetUser: UserID?
    package var targetBucket: String?
    package var mergedUser: UserID?
    package var objectsMoved: Int
    /// Bumped by every request for a merge (a merge that ends seeing it changed runs again).
    package var mergeRequests: Int64
    package var note: String?
    /// The merge job's state and last error, when there is a job.
    package var jobStatus: String?
    package var jobError: String?
    package var updatedAt: String?

    package init(
        contactID: String, bucket: String, phoneKey: String? = nil, state: State = .open, targetUser: UserID? = nil, targetBucket: String? = nil,
        mergedUser: UserID? = nil, objectsMoved: Int = 0, mergeRequests: Int64 = 0, note: String? = nil, jobStatus: String? = nil,
        jobError: String? = nil, updatedAt: String? = nil
    ) {
        self.contactID = contactID
        self.bucket = bucket
        self.phoneKey = phoneKey
        self.state = state
        self.targetUser = targetUser
        self.targetBucket = targetBucket
        self.mergedUser = mergedUser
        self.objectsMoved = objectsMoved
        self.mergeRequests = mergeRequests
        self.note = note
        self.jobStatus = jobStatus
        self.jobError = jobError
        self.updatedAt = updatedAt
    }

    /// The contact id to show (lists, answers): masked when it holds a phone-like run of digits
    /// (a caller may pass a number as its contact id; its bucket name is hashed for the same reason).
    package var displayID: String {
        BucketNaming.holdsPhoneLikeDigits(contactID) ? "masked:" + PhoneNumber.mask(contactID) : contactID
    }
}
