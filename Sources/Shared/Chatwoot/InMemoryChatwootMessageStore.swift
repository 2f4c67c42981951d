import Synchronization

/// `ChatwootMessageStore` in memory, for tests: each message once by account and id, with the
/// jobs its audio attachments need.
package final class InMemoryChatwootMessageStore: ChatwootMessageStore, Sendable {
    package struct Key: Hashable, Sendable {
        let account: Int
        let message: Int
    }

    private let state = Mutex<(records: [Key: NewChatwootMessage], notes: Int)>(([:], 0))
    /// `conversations`: the user of each Chatwoot conversation.
    private let conversations = Mutex<[Int: String]>([:])

    package init() {}

    /// Every message recorded, by account and message id.
    package var recorded: [NewChatwootMessage] { state.withLock { Array($0.records.values) } }

    package func existing(accountID: Int, messageID: Int) throws -> (userID: String?, bucket: String)? {
        state.withLock { $0.records[Key(account: accountID, message: messageID)].map { ($0.userID, $0.bucket) } }
    }

    package func touchConversation(userID: String, conversationID: Int) throws -> String {
        conversations.withLock { rows in
            guard let owner = rows[conversationID] else {
                rows[conversationID] = userID
                return "inserted"
            }
            return owner == userID ? "touched" : "other_user"
        }
    }

    package func record(_ message: NewChatwootMessage) throws -> ChatwootRecordOutcome {
        state.withLock { state in
            let key = Key(account: message.accountID, message: message.messageID)
            if let earlier = state.records[key] { return .duplicate(userID: earlier.userID, bucket: earlier.bucket) }
            state.records[key] = message
            state.notes += 1
            return .recorded(meetingNoteID: "note-\(state.notes)")
        }
    }
}
