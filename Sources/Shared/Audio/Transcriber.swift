/// Speech to text: the seam between the audio job and OpenAI. `OpenAITranscriber` live; the
/// tests run it against a local stand-in that answers with OpenAI's recorded bodies.
package protocol Transcriber: AnyObject {
    /// The model named in stored rows.
    var model: String { get }

    func transcribe(_ audio: [UInt8], format: AudioFormat) throws(TranscriptionError) -> String
}

/// Why a transcription failed, and whether to try again.
package struct TranscriptionError: Error, Sendable, CustomStringConvertible {
    /// True: give up now (quota, bad request, too large, bad key). False: retry later.
    package let permanent: Bool
    package let reason: String
    /// The server's wish, in seconds, when it said.
    package let retryAfterSeconds: Int?

    package init(permanent: Bool, reason: String, retryAfterSeconds: Int? = nil) {
        self.permanent = permanent
        self.reason = reason
        self.retryAfterSeconds = retryAfterSeconds
    }

    package var description: String { reason }
}
