/// OpenAI's `audio/transcriptions` (PROTOCOLS.md §4): multipart with `file` named
/// `audio.<real extension>` (Ogg as `audio.ogg`: `.oga` is refused by newer models), `model`,
/// optional `language`, `response_format=json`.
package final class OpenAITranscriber: Transcriber {
    package let model: String
    private let apiKey: String
    private let baseURL: String
    private let language: String?
    private let client: any HTTPClient
    private let timeoutMs: Int

    package init(
        apiKey: String, model: String = "whisper-1", language: String? = nil, baseURL: String = "https://api.openai.com/v1", client: any HTTPClient,
        timeoutMs: Int = 120_000
    ) {
        self.apiKey = apiKey
        self.model = model
        self.language = language
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeoutMs = timeoutMs
    }

    /// `OPENAI_API_KEY` (secret; nil when unset: transcription is off), `OPENAI_TRANSCRIPTION_MODEL`
    /// (`whisper-1`), `OPENAI_TRANSCRIPTION_LANGUAGE` (none), `OPENAI_BASE_URL`, `OPENAI_TIMEOUT_MS`.
    package static func live(environment: Environment) throws(Environment.Error) -> OpenAITranscriber? {
        guard let key = environment.get("OPENAI_API_KEY") else { return nil }
        let timeoutMs = try environment.integer("OPENAI_TIMEOUT_MS", default: 120_000)
        return OpenAITranscriber(
            apiKey: key, model: environment.get("OPENAI_TRANSCRIPTION_MODEL", default: "whisper-1"),
            language: environment.get("OPENAI_TRANSCRIPTION_LANGUAGE"),
            baseURL: environment.get("OPENAI_BASE_URL", default: "https://api.openai.com/v1"),
            client: CurlHTTPClient(configuration: .init(connectTimeoutMs: 10_000, totalTimeoutMs: timeoutMs, maxResponseBytes: 4 << 20)),
            timeoutMs: timeoutMs)
    }

    package func transcribe(_ audio: [UInt8], format: AudioFormat) throws(TranscriptionError) -> String {
        var multipart = MultipartBody(capacity: audio.count)
        func field(_ name: String, _ value: String) {
            multipart.addPart([("Content-Disposition", "form-data; name=\"\(name)\"")], content: value.utf8)
        }
        field("model", model)
        field("response_format", "json")
        if let language { field("language", language) }
        multipart.addPart(
            [
                ("Content-Disposition", "form-data; name=\"file\"; filename=\"audio.\(format.fileExtension)\""),
                ("Content-Type", format.contentType),
            ], content: audio)
        let contentType = multipart.contentType("form-data")
        let body = multipart.finished()
        guard body.count <= 26_214_400 else {
            throw TranscriptionError(permanent: true, reason: "audio too large for OpenAI (25 MiB request limit)")
        }
        let response: HTTPClientResponse
        do {
            response = try client.send(
                HTTPClientRequest(
                    method: "POST", url: baseURL + "/audio/transcriptions",
                    headers: [("Authorization", "Bearer " + apiKey), ("Content-Type", contentType)], body: body,
                    timeoutMs: timeoutMs), download: nil)
        } catch {
            throw TranscriptionError(permanent: false, reason: "OpenAI unreachable: \(error.detail)")
        }
        let json = try? JSONParser.parse(response.body)
        if response.status == 200 {
            guard let text = json?["text"]?.stringValue else {
                throw TranscriptionError(permanent: false, reason: "OpenAI answered 200 without text")
            }
            return text
        }
        let code = json?["error"]?["code"]?.stringValue ?? json?["error"]?["type"]?.stringValue ?? ""
        let message = String((json?["error"]?["message"]?.stringValue ?? "").prefix(300))
        let retryAfter = Self.retryAfterSeconds(response.headers)
        let reason = "OpenAI \(response.status)\(code.isEmpty ? "" : " \(code)"): \(message)"
        switch response.status {
        case 429 where code == "insufficient_quota":
            throw TranscriptionError(permanent: true, reason: reason)
        case 408, 409, 429, 500...599:
            if response.headers["x-should-retry"] == "false" { throw TranscriptionError(permanent: true, reason: reason) }
            throw TranscriptionError(permanent: false, reason: reason, retryAfterSeconds: retryAfter)
        default:
            throw TranscriptionError(permanent: true, reason: reason)
        }
    }

    /// `retry-after-ms`, else `retry-after` seconds.
    static func retryAfterSeconds(_ headers: [String: String]) -> Int? {
        if let milliseconds = headers["retry-after-ms"].flatMap({ Double($0) }) { return max(1, Int((milliseconds / 1000).rounded(.up))) }
        return headers["retry-after"].flatMap { Int($0) }
    }
}
