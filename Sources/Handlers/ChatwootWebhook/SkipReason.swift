import Shared

/// Why a delivery is answered without storing anything: the answer's message and the metric's
/// `reason` label, together.
enum SkipReason: Equatable {
    case notAMessage
    case update
    case privateNote
    /// Not incoming: `outgoing`, `template`, `activity`, or something else (`non-incoming`).
    case notIncoming(type: String)
    case channel

    var message: String {
        switch self {
        case .notAMessage: "Event not applicable: only message_created is stored"
        case .update: "Skipped message_updated: a stored message is kept as first received"
        case .privateNote: "Skipped private note"
        case .notIncoming(let type): "Skipped \(type) message"
        case .channel: "Event not applicable: this channel is not stored"
        }
    }

    var metricLabel: String {
        switch self {
        case .notAMessage: "not_a_message"
        case .update: "update"
        case .privateNote: "private"
        case .notIncoming: "not_incoming"
        case .channel: "channel"
        }
    }

    /// The answer (200, as the original: Chatwoot must not retry), counted.
    var response: Response {
        Metrics.shared.increment("userbuckets_webhook_messages_total{outcome=\"skipped\",reason=\"\(metricLabel)\"}")
        return .json(.object(["success": .bool(true), "message": .string(message)]))
    }
}
