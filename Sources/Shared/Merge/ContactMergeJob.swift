/// The `merge` job: one per contact bucket (its dedupe key), queued by the database
/// (db/migrations/0009) and run by `ContactMergeRunner`.
package enum ContactMergeJob {
    package static let kind = "merge"

    package static func dedupeKey(contactID: String) -> String { "merge:" + contactID }

    package static func payload(contactID: String) -> JSON { .object(["contact_id": .string(contactID)]) }

    /// The objects a merge moves: the webhook's messages and the audio worker's voice notes.
    package static let prefixes = ["whatsapp-messages/", "whatsapp-audio/"]
}
