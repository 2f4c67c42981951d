/// `BucketMappingStore` over `public.user_bucket_mapping`.
package final class PostgresBucketMappingStore: BucketMappingStore {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let selectByUser = PreparedStatement("SELECT bucket_name FROM public.user_bucket_mapping WHERE user_id = $1::uuid")
    static let selectByBucket = PreparedStatement("SELECT user_id FROM public.user_bucket_mapping WHERE bucket_name = $1")
    static let insert = PreparedStatement(
        "INSERT INTO public.user_bucket_mapping (user_id, bucket_name) VALUES ($1::uuid, $2)")
    static let selectByPrefix = PreparedStatement(
        "SELECT user_id, bucket_name FROM public.user_bucket_mapping WHERE starts_with(bucket_name, $1) ORDER BY bucket_name")

    static let recordContact = PreparedStatement("SELECT public.userbuckets_contact_seen($1, $2, $3)")

    package func recordContactBucket(contactID: String, bucket: String, phoneKey: String?) throws {
        _ = try connection.execute(Self.recordContact, [contactID, bucket, phoneKey])
    }

    package func bucketName(forUser userID: UserID) throws -> String? {
        try connection.execute(Self.selectByUser, [userID.value]).scalar
    }

    package func owner(ofBucket bucket: String) throws -> UserID? {
        try connection.execute(Self.selectByBucket, [bucket]).scalar.flatMap(UserID.init)
    }

    package func insert(userID: UserID, bucket: String) throws {
        do {
            try connection.execute(Self.insert, [userID.value, bucket])
        } catch  where error.isUniqueViolation {
            throw DuplicateRecord("bucket mapping")
        }
    }

    package func mappings(bucketPrefix prefix: String) throws -> [(userID: UserID, bucket: String)] {
        try connection.execute(Self.selectByPrefix, [prefix]).records.compactMap { row in
            guard let user = row.userID("user_id"), let bucket = row.string("bucket_name") else { return nil }
            return (user, bucket)
        }
    }
}
