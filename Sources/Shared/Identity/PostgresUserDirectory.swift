/// `UserDirectory` over the Supabase tables, matching stored numbers of any shape through
/// `public.userbuckets_phone_key` (indexed; see `db/migrations/0003_phone_lookup.sql`).
package final class PostgresUserDirectory: UserDirectory {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let byMapping = PreparedStatement(
        """
        SELECT DISTINCT m.user_id, b.bucket_name, NULL::text AS whatsapp_number FROM public.whatsapp_user_mapping m
        LEFT JOIN public.user_bucket_mapping b ON b.user_id = m.user_id
        WHERE public.userbuckets_phone_key(m.whatsapp_number) = $1 LIMIT 2
        """)
    static let byProfileWhatsApp = PreparedStatement(
        """
        SELECT DISTINCT p.user_id, b.bucket_name, p.whatsapp_number FROM public.profiles p
        LEFT JOIN public.user_bucket_mapping b ON b.user_id = p.user_id
        WHERE public.userbuckets_phone_key(p.whatsapp_number) = $1 LIMIT 2
        """)
    static let byProfilePhone = PreparedStatement(
        """
        SELECT DISTINCT p.user_id, b.bucket_name, p.whatsapp_number FROM public.profiles p
        LEFT JOIN public.user_bucket_mapping b ON b.user_id = p.user_id
        WHERE public.userbuckets_phone_key(p.phone_number) = $1 LIMIT 2
        """)
    static let byMeetingNotes = PreparedStatement(
        """
        SELECT n.user_id, b.bucket_name FROM public.meeting_notes n
        LEFT JOIN public.user_bucket_mapping b ON b.user_id = n.user_id
        WHERE n.contact_identifier = $1 AND n.user_id IS NOT NULL ORDER BY n.created_at DESC LIMIT 1
        """)
    static let backfill = PreparedStatement(
        """
        UPDATE public.profiles SET whatsapp_number = $2
        WHERE user_id = $1::uuid AND (whatsapp_number IS NULL OR whatsapp_number = '')
        """)
    static let upsertMapping = PreparedStatement(
        """
        INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number, is_verified, chatwoot_contact_id, chatwoot_account_id)
        VALUES ($1::uuid, $2, false, $3, $4)
        ON CONFLICT (user_id, whatsapp_number) DO UPDATE SET
            chatwoot_contact_id = COALESCE(whatsapp_user_mapping.chatwoot_contact_id, EXCLUDED.chatwoot_contact_id),
            chatwoot_account_id = COALESCE(whatsapp_user_mapping.chatwoot_account_id, EXCLUDED.chatwoot_account_id)
        """)
    static let upsertMappingWithoutContact = PreparedStatement(
        """
        INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number, is_verified)
        VALUES ($1::uuid, $2, false) ON CONFLICT (user_id, whatsapp_number) DO NOTHING
        """)
    static let userByID = PreparedStatement(
        """
        SELECT u.id AS user_id, b.bucket_name FROM auth.users u
        LEFT JOIN public.user_bucket_mapping b ON b.user_id = u.id WHERE u.id = $1::uuid
        """)

    static let mappedNumbers = PreparedStatement(
        "SELECT whatsapp_number FROM public.whatsapp_user_mapping WHERE user_id = $1::uuid ORDER BY created_at")
    static let profileNumbers = PreparedStatement(
        "SELECT whatsapp_number, phone_number FROM public.profiles WHERE user_id = $1::uuid")

    package func mappedNumbers(of userID: UserID) throws -> [String] {
        try connection.execute(Self.mappedNumbers, [userID]).records.compactMap { $0.string("whatsapp_number") }
    }

    package func profileNumbers(of userID: UserID) throws -> (whatsApp: String?, phone: String?)? {
        guard let row = try connection.execute(Self.profileNumbers, [userID]).records.first else { return nil }
        return (row.string("whatsapp_number"), row.string("phone_number"))
    }

    package func usersByMapping(key: String) throws -> [UserCandidate] {
        try candidates(Self.byMapping, key)
    }

    package func usersByProfileWhatsApp(key: String) throws -> [UserCandidate] {
        try candidates(Self.byProfileWhatsApp, key)
    }

    package func usersByProfilePhone(key: String) throws -> [UserCandidate] {
        try candidates(Self.byProfilePhone, key)
    }

    package func userByMeetingNotes(contactID: String) throws -> UserCandidate? {
        let result = try connection.execute(Self.byMeetingNotes, [contactID])
        guard let row = result.records.first, let user = row.userID("user_id") else { return nil }
        return UserCandidate(userID: user, bucket: row.string("bucket_name"))
    }

    package func backfillProfileWhatsApp(userID: UserID, number: String) throws {
        try connection.execute(Self.backfill, [userID, number])
    }

    package func upsertMapping(userID: UserID, number: String, chatwootContactID: String?, chatwootAccountID: String?) throws {
        do {
            if chatwootContactID != nil {
                try connection.execute(Self.upsertMapping, [userID, number, chatwootContactID, chatwootAccountID])
            } else {
                try connection.execute(Self.upsertMappingWithoutContact, [userID, number])
            }
        } catch let error where error.isUniqueViolation {
            // The Chatwoot contact is already mapped (to this or another user): keep the number alone.
            try connection.execute(Self.upsertMappingWithoutContact, [userID, number])
        }
    }

    package func user(_ userID: UserID) throws -> UserCandidate? {
        let result = try connection.execute(Self.userByID, [userID])
        guard let row = result.records.first else { return nil }
        return UserCandidate(userID: userID, bucket: row.string("bucket_name"))
    }

    private func candidates(_ statement: PreparedStatement, _ key: String) throws -> [UserCandidate] {
        try connection.execute(statement, [key]).records.compactMap { row in
            guard let user = row.userID("user_id") else { return nil }
            return UserCandidate(userID: user, bucket: row.string("bucket_name"), profileWhatsApp: row.string("whatsapp_number"))
        }
    }
}
