import Foundation
import Shared

/// Test data in the stack's database: users, profiles, mappings, notes.
struct Fixtures {
    let database: PostgresConnection

    init() {
        database = Stack.shared.database()
    }

    static let insertUser = PreparedStatement("INSERT INTO auth.users (id) VALUES ($1::uuid)")
    static let insertProfile = PreparedStatement(
        "INSERT INTO public.profiles (user_id, whatsapp_number, phone_number) VALUES ($1::uuid, $2, $3)")
    static let insertMapping = PreparedStatement(
        "INSERT INTO public.whatsapp_user_mapping (user_id, whatsapp_number) VALUES ($1::uuid, $2)")
    static let insertNote = PreparedStatement(
        "INSERT INTO public.meeting_notes (user_id, contact_identifier, source_type) VALUES ($1::uuid, $2, 'whatsapp')")

    /// A new user, optionally with a profile.
    @discardableResult
    func user(whatsapp: String? = nil, phone: String? = nil, profile: Bool = true) throws -> String {
        let id = UUID().uuidString.lowercased()
        try database.execute(Self.insertUser, [id])
        if profile { try database.execute(Self.insertProfile, [id, whatsapp, phone]) }
        return id
    }

    func mapping(_ userID: String, number: String) throws {
        try database.execute(Self.insertMapping, [userID, number])
    }

    func note(_ userID: String?, contactID: String) throws {
        try database.execute(Self.insertNote, [userID, contactID])
    }

    /// Runs a one-off query and returns its rows.
    @discardableResult
    func rows(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try database.execute(PreparedStatement(sql), parameters).rows
    }

    /// A random Brazilian mobile, E.164, unique enough for one test run.
    static func randomMobile() -> String {
        "+55119" + String(Int.random(in: 60_000_000...99_999_999))
    }
}
