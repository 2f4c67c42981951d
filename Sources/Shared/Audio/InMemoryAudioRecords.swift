import Synchronization

/// `AudioRecords` in memory, for tests: one record per stored object, as the SQL is idempotent.
package final class InMemoryAudioRecords: AudioRecords, Sendable {
    private let records = Mutex<[String: ProcessedAudio]>([:])

    package init() {}

    package var recorded: [ProcessedAudio] { records.withLock { Array($0.values) } }

    package func record(_ audio: ProcessedAudio) throws {
        records.withLock { $0[audio.storageURI] = $0[audio.storageURI] ?? audio }
    }
}
