extension GCSObjectStorage {
    /// Where and how buckets are made.
    package struct Configuration: Sendable {
        /// `https://storage.googleapis.com`, or an emulator's base URL.
        package var baseURL: String
        package var projectID: String
        /// New buckets' location; the original functions used `US-CENTRAL1`.
        package var location: String
        package var storageClass: String
        /// Labels on new buckets (lowercase letters, digits, `_`, `-`).
        package var labels: [String: String]
        /// Resumable uploads go in chunks of this size (a multiple of 256 KiB); objects up to
        /// one chunk go in one multipart request.
        package var uploadChunkBytes: Int
        /// Total time for one metadata call.
        package var requestTimeoutMs: Int
        /// Total time for one chunk or download.
        package var transferTimeoutMs: Int
        package var retry: RetryPolicy

        package init(
            baseURL: String = "https://storage.googleapis.com", projectID: String, location: String = "US-CENTRAL1",
            storageClass: String = "STANDARD", labels: [String: String] = ["managed-by": "userbuckets"],
            uploadChunkBytes: Int = 8 << 20, requestTimeoutMs: Int = 30_000, transferTimeoutMs: Int = 300_000,
            retry: RetryPolicy = RetryPolicy()
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.projectID = projectID
            self.location = location
            self.storageClass = storageClass
            self.labels = labels
            self.uploadChunkBytes = max(1, uploadChunkBytes / (256 << 10)) * (256 << 10)
            self.requestTimeoutMs = requestTimeoutMs
            self.transferTimeoutMs = transferTimeoutMs
            self.retry = retry
        }
    }

    /// Built from the environment: `STORAGE_EMULATOR_HOST` (emulator base, no auth), else the
    /// credentials `GCSCredentials(environment:)` reads; `GCS_LOCATION` (`US-CENTRAL1`),
    /// `GCS_STORAGE_CLASS` (`STANDARD`), `GCS_BUCKET_LABELS` (`k=v,k=v`; default
    /// `managed-by=userbuckets`), `GCS_UPLOAD_CHUNK_BYTES` (8 MiB), `GCS_TIMEOUT_MS` (30000),
    /// `GCS_TRANSFER_TIMEOUT_MS` (300000) and the retry settings of `RetryPolicy`.
    package static func live(environment: Environment) throws(Environment.Error) -> GCSObjectStorage {
        let retry = try RetryPolicy(environment: environment)
        var labels: [String: String] = [:]
        for pair in environment.get("GCS_BUCKET_LABELS", default: "managed-by=userbuckets").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw Environment.Error(variable: "GCS_BUCKET_LABELS", reason: "must be key=value pairs separated by commas")
            }
            labels[parts[0]] = parts[1]
        }
        let requestTimeoutMs = try environment.integer("GCS_TIMEOUT_MS", default: 30_000)
        let client = CurlHTTPClient(
            configuration: .init(connectTimeoutMs: 5_000, totalTimeoutMs: requestTimeoutMs, maxResponseBytes: 8 << 20))
        var configuration = Configuration(
            projectID: environment.get("GCS_PROJECT_ID", default: "local"),
            location: environment.get("GCS_LOCATION", default: "US-CENTRAL1"),
            storageClass: environment.get("GCS_STORAGE_CLASS", default: "STANDARD"), labels: labels,
            uploadChunkBytes: try environment.integer("GCS_UPLOAD_CHUNK_BYTES", default: 8 << 20), requestTimeoutMs: requestTimeoutMs,
            transferTimeoutMs: try environment.integer("GCS_TRANSFER_TIMEOUT_MS", default: 300_000), retry: retry)
        if let emulator = environment.get("STORAGE_EMULATOR_HOST") {
            configuration.baseURL = emulator.contains("://") ? emulator : "http://" + emulator
            return GCSObjectStorage(configuration: configuration, client: client, tokens: nil, signer: nil)
        }
        let credentials = try GCSCredentials(environment: environment)
        configuration.projectID = credentials.projectID
        let tokens = ServiceAccountTokenSource(
            credentials: credentials,
            client: CurlHTTPClient(configuration: .init(connectTimeoutMs: 5_000, totalTimeoutMs: requestTimeoutMs)), retry: retry)
        return GCSObjectStorage(
            configuration: configuration, client: client, tokens: tokens,
            signer: V4URLSigner(clientEmail: credentials.clientEmail, privateKey: credentials.privateKey))
    }
}
