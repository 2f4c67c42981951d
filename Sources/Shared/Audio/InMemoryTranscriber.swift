import Synchronization

/// `Transcriber` in memory, for tests: answers from a closure and remembers what it was given.
package final class InMemoryTranscriber: Transcriber, Sendable {
    package let model: String
    private let answer: @Sendable ([UInt8], AudioFormat) -> Result<String, TranscriptionError>
    private let heard = Mutex<[[UInt8]]>([])

    package init(model: String = "whisper-1", answer: @escaping @Sendable ([UInt8], AudioFormat) -> Result<String, TranscriptionError>) {
        self.model = model
        self.answer = answer
    }

    /// The audio of every call, in order.
    package var calls: [[UInt8]] { heard.withLock { $0 } }

    package func transcribe(_ audio: [UInt8], format: AudioFormat) throws(TranscriptionError) -> String {
        heard.withLock { $0.append(audio) }
        return try answer(audio, format).get()
    }
}
