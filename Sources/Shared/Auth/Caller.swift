/// Who is calling, from a verified Supabase JWT.
package enum Caller: Sendable, Equatable {
    /// `service_role`: may act for any user.
    case serviceRole
    /// `authenticated` with the user's id (`sub`, a UUID: a token without one is refused).
    case user(id: UserID)
    /// `anon`: a valid project key, but no user.
    case anonymous

    /// Whether this caller may act for `userID`.
    package func mayActFor(userID: String) -> Bool {
        switch self {
        case .serviceRole: true
        case .user(let id): id.value == userID.lowercased()
        case .anonymous: false
        }
    }
}
