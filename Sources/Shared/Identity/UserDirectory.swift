/// A user found by one lookup, with the bucket recorded for them when the lookup joined it.
package struct UserCandidate: Sendable, Equatable {
    package let userID: UserID
    package let bucket: String?
    /// `bucket` checked against the naming rules once, here (a cached candidate is used on
    /// every request); nil when there is none or it breaks them.
    package let bucketName: BucketName?
    /// For profile matches: the profile's current `whatsapp_number`.
    package let profileWhatsApp: String?

    package init(userID: UserID, bucket: String? = nil, profileWhatsApp: String? = nil) {
        self.userID = userID
        self.bucket = bucket
        self.bucketName = bucket.flatMap(BucketName.init)
        self.profileWhatsApp = profileWhatsApp
    }

    package static func == (lhs: UserCandidate, rhs: UserCandidate) -> Bool {
        lhs.userID == rhs.userID && lhs.bucket == rhs.bucket && lhs.profileWhatsApp == rhs.profileWhatsApp
    }
}

/// Where users are looked up by phone number (SPEC section 3): the seam over the database.
///
/// Lookups take `PhoneNumber.lookupKey` and return up to two distinct users (two means
/// ambiguous), each with its bucket mapping when there is one.
package protocol UserDirectory: AnyObject {
    func usersByMapping(key: String) throws -> [UserCandidate]
    func usersByProfileWhatsApp(key: String) throws -> [UserCandidate]
    func usersByProfilePhone(key: String) throws -> [UserCandidate]
    /// The user of the newest `meeting_notes` row with exactly this contact id and a user.
    func userByMeetingNotes(contactID: String) throws -> UserCandidate?
    /// Sets `profiles.whatsapp_number` when it is null or empty.
    func backfillProfileWhatsApp(userID: UserID, number: String) throws
    /// Upserts `whatsapp_user_mapping(user_id, whatsapp_number, is_verified=false, chatwoot ids)`.
    func upsertMapping(userID: UserID, number: String, chatwootContactID: String?, chatwootAccountID: String?) throws
    /// Whether `auth.users` has this id, and the bucket recorded for it.
    func user(_ userID: UserID) throws -> UserCandidate?
    /// The numbers in `whatsapp_user_mapping` for `userID`.
    func mappedNumbers(of userID: UserID) throws -> [String]
    /// The profile's `(whatsapp_number, phone_number)`, when there is a profile.
    func profileNumbers(of userID: UserID) throws -> (whatsApp: String?, phone: String?)?
}
