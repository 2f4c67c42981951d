package import Logging

/// Which step of the identification order found the user (SPEC section 3).
package enum IdentificationStep: String, Sendable {
    case mapping
    case profileWhatsApp = "profile_whatsapp"
    case profilePhone = "profile_phone"
    case meetingNotes = "meeting_notes"
}

/// What identification found.
package enum Identification: Sendable, Equatable {
    case identified(UserCandidate, IdentificationStep)
    /// Several distinct users share the number at this step: nobody is identified.
    case ambiguous(IdentificationStep)
    case notFound

    package var candidate: UserCandidate? {
        if case .identified(let candidate, _) = self { return candidate }
        return nil
    }

    /// For logs and metrics: the step, `ambiguous` or `none`.
    package var outcome: String {
        switch self {
        case .identified(_, let step): step.rawValue
        case .ambiguous: "ambiguous"
        case .notFound: "none"
        }
    }
}

/// Identifies a user from a phone number in the SPEC's order; the first step that finds
/// exactly one distinct user wins, and a step that finds several stops the search.
package struct UserIdentifier {
    private let directory: any UserDirectory
    private let outcomes = CounterFamily(prefix: "userbuckets_identifications_total{outcome=\"")

    package init(directory: any UserDirectory) {
        self.directory = directory
    }

    /// - Parameters:
    ///   - number: the normalized number, or nil when there is none.
    ///   - contactID: the request's contact id, for the meeting-notes step and the mapping's
    ///     Chatwoot ids (`contact_<contact>_account_<account>`).
    package func identify(number: PhoneNumber?, contactID: String?, logger: @autoclosure () -> Logger) throws(ServiceError) -> Identification {
        let result = try ServiceError.catching { try search(number: number, contactID: contactID) }
        outcomes.increment(result.outcome)
        if case .ambiguous(let step) = result {
            logger().warning(
                "ambiguous phone number", metadata: [LogKey.step: .string(step.rawValue), LogKey.phone: "\(number?.masked ?? "-")"])
        }
        return result
    }

    private func search(number: PhoneNumber?, contactID: String?) throws -> Identification {
        if let number {
            let key = number.lookupKey
            let mapped = try directory.usersByMapping(key: key)
            if let result = decide(mapped, .mapping) { return result }
            let byWhatsApp = try directory.usersByProfileWhatsApp(key: key)
            if let result = decide(byWhatsApp, .profileWhatsApp) {
                try remember(result, number: number, contactID: contactID)
                return result
            }
            let byPhone = try directory.usersByProfilePhone(key: key)
            if let result = decide(byPhone, .profilePhone) {
                if case .identified(let candidate, _) = result, (candidate.profileWhatsApp ?? "").isEmpty {
                    try directory.backfillProfileWhatsApp(userID: candidate.userID, number: number.e164)
                }
                try remember(result, number: number, contactID: contactID)
                return result
            }
        }
        if let contactID, !contactID.isEmpty, let candidate = try directory.userByMeetingNotes(contactID: contactID) {
            return .identified(candidate, .meetingNotes)
        }
        return .notFound
    }

    private func decide(_ candidates: [UserCandidate], _ step: IdentificationStep) -> Identification? {
        switch candidates.count {
        case 0: nil
        case 1: .identified(candidates[0], step)
        default: .ambiguous(step)
        }
    }

    private func remember(_ result: Identification, number: PhoneNumber, contactID: String?) throws {
        guard case .identified(let candidate, _) = result else { return }
        let ids = contactID.flatMap(ChatwootContactID.init)
        try directory.upsertMapping(
            userID: candidate.userID, number: number.e164, chatwootContactID: ids?.contact, chatwootAccountID: ids?.account)
    }
}

/// A contact id of the form `contact_<contact>_account_<account>`.
package struct ChatwootContactID: Sendable, Equatable {
    package let contact: String
    package let account: String

    package init?(_ text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "contact", parts[2] == "account", !parts[1].isEmpty, !parts[3].isEmpty,
            parts[1].allSatisfy(\.isASCIIDigitCharacter), parts[3].allSatisfy(\.isASCIIDigitCharacter)
        else { return nil }
        contact = String(parts[1])
        account = String(parts[3])
    }
}
