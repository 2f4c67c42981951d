/// The `user_bucket_mapping` table: which bucket each user has. The source of truth for names.
package protocol BucketMappingStore: AnyObject {
    /// The bucket recorded for `userID`, if any.
    func bucketName(forUser userID: UserID) throws -> String?

    /// The user whose row names `bucket`, if any.
    func owner(ofBucket bucket: String) throws -> UserID?

    /// Records `bucket` for `userID`; `DuplicateRecord` when either already has a row.
    func insert(userID: UserID, bucket: String) throws

    /// Every row whose bucket starts with `prefix`, by bucket name.
    func mappings(bucketPrefix prefix: String) throws -> [(userID: UserID, bucket: String)]

    /// Records a contact bucket and the lookup key of its contact's number
    /// (`userbuckets_contact_buckets`), so the bucket is merged once the number gets a user.
    func recordContactBucket(contactID: String, bucket: String, phoneKey: String?) throws
}
