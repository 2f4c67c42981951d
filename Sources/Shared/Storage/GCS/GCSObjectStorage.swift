/// Google Cloud Storage through its JSON API over libcurl.
///
/// One per serving thread: it owns one curl handle (connections are reused) and one token
/// cache. Idempotent calls are retried per `RetryPolicy`; a create-only write carries
/// `ifGenerationMatch=0`, which makes it safe to retry (412 means it is already there).
/// `STORAGE_EMULATOR_HOST` points it at an emulator and drops auth, as Google's libraries do.
package final class GCSObjectStorage: ObjectStorage {
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

    package var backendName: String { "gcs" }

    private let configuration: Configuration
    private let client: any HTTPClient
    /// nil: no auth (an emulator).
    private let tokens: (any AccessTokenSource)?
    /// nil: no key to sign with (an emulator); download URLs are then plain emulator URLs.
    private let signer: V4URLSigner?
    private let clock: () -> Int

    package init(
        configuration: Configuration, client: any HTTPClient, tokens: (any AccessTokenSource)?, signer: V4URLSigner?,
        clock: @escaping () -> Int = { UnixTime.now() }
    ) {
        self.configuration = configuration
        self.client = client
        self.tokens = tokens
        self.signer = signer
        self.clock = clock
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

    // MARK: buckets

    package func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        // The original's location, class and lifecycle (ORIGINAL.md §4.2), plus uniform
        // bucket-level access, public access prevention and labels.
        let rule = { (age: Int, storageClass: String) -> JSON in
            .object([
                "action": .object(["type": .string("SetStorageClass"), "storageClass": .string(storageClass)]),
                "condition": .object(["age": .integer(age)]),
            ])
        }
        let body = JSON.object([
            "name": .string(name.value), "location": .string(configuration.location), "storageClass": .string(configuration.storageClass),
            "lifecycle": .object(["rule": .array([rule(30, "NEARLINE"), rule(90, "COLDLINE"), rule(365, "ARCHIVE")])]),
            "iamConfiguration": .object([
                "uniformBucketLevelAccess": .object(["enabled": .bool(true)]), "publicAccessPrevention": .string("enforced"),
            ]),
            "labels": .object(
                configuration.labels.sorted { $0.key < $1.key }.reduce(into: JSONObject()) { $0[$1.key] = .string($1.value) }),
        ])
        let outcome = try call(
            "POST", "/storage/v1/b?project=" + ObjectName.percentEncode(configuration.projectID), json: body, idempotent: true)
        switch outcome.response.status {
        case 200, 201:
            return .created
        case 409:
            // "You already own it" (or an emulator's own wording): ours if we can read it.
            // A retried insert whose first attempt went through also lands here: still ours.
            if try bucketExists(name) { return outcome.attempts > 1 ? .created : .alreadyOwned }
            throw StorageError(.nameUnavailable, "bucket \(name.value) belongs to someone else")
        default:
            throw failure(outcome, "creating bucket \(name.value)")
        }
    }

    package func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        let outcome = try call("GET", "/storage/v1/b/" + name.value, idempotent: true)
        switch outcome.response.status {
        case 200: return true
        case 404: return false
        case 403: return false  // exists, but not ours
        default: throw failure(outcome, "reading bucket \(name.value)")
        }
    }

    package func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        var query = "project=\(ObjectName.percentEncode(configuration.projectID))&maxResults=\(max(1, min(maxResults, 1000)))"
        if !prefix.isEmpty { query += "&prefix=" + ObjectName.percentEncode(prefix) }
        if let pageToken { query += "&pageToken=" + ObjectName.percentEncode(pageToken) }
        let outcome = try call("GET", "/storage/v1/b?" + query, idempotent: true)
        guard outcome.response.status == 200 else { throw failure(outcome, "listing buckets") }
        let json = try Self.parse(outcome.response.body)
        // Filtered here too: emulators ignore `prefix` on bucket lists.
        let names = (json["items"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.filter { $0.hasPrefix(prefix) }
        return BucketPage(names: names, nextPageToken: json["nextPageToken"]?.stringValue)
    }

    // MARK: objects

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        // Multipart: metadata and bytes in one request. (The emulator honours ifGenerationMatch
        // only here, so create-only writes of small objects are exact against it too.)
        let metadata = JSON.object(["name": .string(name.value), "contentType": .string(contentType)]).serializedBytes()
        var multipart = MultipartBody(capacity: data.count)
        multipart.addPart([("Content-Type", "application/json; charset=UTF-8")], content: metadata)
        multipart.addPart([("Content-Type", contentType)], content: data)
        let requestType = multipart.contentType("related")
        let body = multipart.finished()
        var path = "/upload/storage/v1/b/\(bucket.value)/o?uploadType=multipart"
        if ifAbsent { path += "&ifGenerationMatch=0" }
        let outcome = try call(
            "POST", path, headers: [("Content-Type", requestType)], body: body,
            timeoutMs: configuration.transferTimeoutMs, idempotent: ifAbsent)
        return try written(outcome, name)
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        // A source that says it is small is read into a buffer of its size, not a whole chunk.
        var chunk = [UInt8](repeating: 0, count: min(configuration.uploadChunkBytes, (source.remainingCount ?? .max - 1) + 1))
        var filled = try Self.fill(&chunk, from: source)
        if filled < chunk.count {
            // It fits in one chunk: one multipart request.
            return try putObject(name, in: bucket, contentType: contentType, data: Array(chunk[0..<filled]), ifAbsent: ifAbsent)
        }
        var path = "/upload/storage/v1/b/\(bucket.value)/o?uploadType=resumable&name=\(name.percentEncoded)"
        if ifAbsent { path += "&ifGenerationMatch=0" }
        let start = try call(
            "POST", path, json: .object(["name": .string(name.value), "contentType": .string(contentType)]),
            headers: [("X-Upload-Content-Type", contentType)], idempotent: true)
        if start.response.status == 412 { return .alreadyStored }
        guard start.response.status == 200, let session = start.response.headers["location"] else {
            throw failure(start, "starting an upload of \(name.value)")
        }
        var offset = 0
        while true {
            // Read ahead one byte's worth to know whether this chunk is the last.
            var next = [UInt8](repeating: 0, count: configuration.uploadChunkBytes)
            let nextFilled = filled == chunk.count ? try Self.fill(&next, from: source) : 0
            let last = nextFilled == 0
            if let result = try sendChunk(
                session: session, chunk: chunk[0..<filled], offset: offset, total: last ? offset + filled : nil, name: name)
            {
                return result
            }
            offset += filled
            chunk = next
            filled = nextFilled
            if last { throw StorageError(.unavailable, "upload of \(name.value) ended without an answer") }
        }
    }

    /// One chunk of a resumable upload; the final answer on the last chunk, nil before. A chunk
    /// that fails is resumed from what the server says it has.
    private func sendChunk(
        session: String, chunk: ArraySlice<UInt8>, offset: Int, total: Int?, name: ObjectName
    ) throws(StorageError) -> ObjectWrite? {
        var sent = 0  // bytes of this chunk the server confirmed
        let started = MonotonicClock.milliseconds()
        var attempt = 1
        while true {
            let end = offset + chunk.count - 1
            let range = chunk.isEmpty ? "bytes */\(total ?? offset)" : "bytes \(offset + sent)-\(end)/\(total.map(String.init) ?? "*")"
            let body = Array(chunk[(chunk.startIndex + sent)...])
            let response: HTTPClientResponse?
            do {
                response = try client.send(
                    HTTPClientRequest(
                        method: "PUT", url: session, headers: [("Content-Range", range)] + (try authorization()), body: body,
                        timeoutMs: configuration.transferTimeoutMs), download: nil)
            } catch let error as HTTPClientError where error.isTransient {
                response = nil
            } catch {
                throw StorageError(.unavailable, "uploading \(name.value): \(error)")
            }
            if let response {
                switch response.status {
                case 200, 201:
                    return .stored(try Self.storedObject(response.body, fallbackName: name.value))
                case 308 where total == nil || offset + chunk.count < total!:
                    let confirmed = Self.confirmedBytes(response.headers["range"])
                    if confirmed >= offset + chunk.count { return nil }
                    sent = max(0, confirmed - offset)
                    continue
                case 412:
                    return .alreadyStored
                case let status where !RetryPolicy.isRetryable(status: status) && status != 308:
                    throw StorageError(.rejected, "uploading \(name.value): GCS answered \(status)")
                default:
                    break
                }
            }
            // Failed or incomplete: ask what the server has, then go on from there.
            let wait = configuration.retry.delayMs(afterAttempt: attempt, retryAfterSeconds: response?.headers["retry-after"].flatMap { Int($0) })
            guard attempt < configuration.retry.maxAttempts, MonotonicClock.milliseconds() - started + wait <= configuration.retry.budgetMs else {
                throw StorageError(.unavailable, "uploading \(name.value) failed after \(attempt) attempts")
            }
            RetryPolicy.sleep(milliseconds: wait)
            attempt += 1
            if let status = try? client.send(
                HTTPClientRequest(
                    method: "PUT", url: session, headers: [("Content-Range", "bytes */\(total.map(String.init) ?? "*")")] + (try authorization()),
                    timeoutMs: configuration.requestTimeoutMs), download: nil)
            {
                if status.status == 200 || status.status == 201 {
                    return .stored(try Self.storedObject(status.body, fallbackName: name.value))
                }
                if status.status == 308 {
                    let confirmed = Self.confirmedBytes(status.headers["range"])
                    if confirmed >= offset + chunk.count, total == nil { return nil }
                    sent = min(chunk.count, max(0, confirmed - offset))
                }
            }
        }
    }

    package func readObject(
        _ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws(StorageError) -> StoredObject? {
        var size = 0
        let outcome: RetryPolicy.Outcome = try withoutActuallyEscaping(sink) { sink throws(StorageError) in
            try call(
                "GET", "/storage/v1/b/\(bucket.value)/o/\(name.percentEncoded)?alt=media", timeoutMs: configuration.transferTimeoutMs,
                idempotent: true,
                download: { bytes in
                    size += bytes.count
                    try sink(bytes)
                })
        }
        switch outcome.response.status {
        case 200:
            return StoredObject(name: name.value, size: size, contentType: outcome.response.headers["content-type"])
        case 404:
            return nil
        default:
            throw failure(outcome, "reading \(name.value)")
        }
    }

    package func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage {
        var query = "maxResults=\(max(1, min(maxResults, 1000)))"
        if !prefix.isEmpty { query += "&prefix=" + ObjectName.percentEncode(prefix) }
        if let pageToken { query += "&pageToken=" + ObjectName.percentEncode(pageToken) }
        let outcome = try call("GET", "/storage/v1/b/\(bucket.value)/o?" + query, idempotent: true)
        switch outcome.response.status {
        case 200: break
        case 404: throw StorageError(.notFound, "no bucket \(bucket.value)")
        default: throw failure(outcome, "listing \(bucket.value)")
        }
        let json = try Self.parse(outcome.response.body)
        let objects = try (json["items"]?.arrayValue ?? []).map { item throws(StorageError) in
            try Self.storedObject(item, fallbackName: "")
        }
        return ObjectPage(objects: objects, nextPageToken: json["nextPageToken"]?.stringValue)
    }

    package func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool {
        let outcome = try call("DELETE", "/storage/v1/b/\(bucket.value)/o/\(name.percentEncoded)", idempotent: true)
        switch outcome.response.status {
        case 200..<300: return true
        case 404: return false
        default: throw failure(outcome, "deleting \(name.value)")
        }
    }

    package func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String? {
        guard let signer else {
            return configuration.baseURL + "/download/storage/v1/b/\(bucket.value)/o/\(name.percentEncoded)?alt=media"
        }
        return try signer.url(method: "GET", bucket: bucket.value, object: name.value, expiresIn: expiresIn, now: clock())
    }

    // MARK: calls

    /// One JSON API call with auth, retries (when `idempotent`) and one token refresh on 401.
    private func call(
        _ method: String, _ path: String, json: JSON? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeoutMs: Int? = nil, idempotent: Bool, download: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws(StorageError) -> RetryPolicy.Outcome {
        var allHeaders = headers
        var payload = body
        if let json {
            allHeaders.append(("Content-Type", "application/json"))
            payload = json.serializedBytes()
        }
        for refreshed in [false, true] {
            let request = HTTPClientRequest(
                method: method, url: configuration.baseURL + path, headers: allHeaders + (try authorization()), body: payload,
                timeoutMs: timeoutMs ?? configuration.requestTimeoutMs)
            let outcome: RetryPolicy.Outcome
            do {
                outcome = try configuration.retry.send(request, with: client, idempotent: idempotent, download: download)
            } catch {
                throw StorageError(.unavailable, "GCS \(method) \(Self.redacted(path)): \(error.detail)")
            }
            if outcome.response.status == 401, let tokens, !refreshed {
                tokens.invalidate()
                continue
            }
            return outcome
        }
        throw StorageError(.unauthorized, "GCS refused a fresh token for \(method) \(Self.redacted(path))")
    }

    private func authorization() throws(StorageError) -> [(name: String, value: String)] {
        guard let tokens else { return [] }
        return [("Authorization", "Bearer " + (try tokens.accessToken()))]
    }

    private func written(_ outcome: RetryPolicy.Outcome, _ name: ObjectName) throws(StorageError) -> ObjectWrite {
        switch outcome.response.status {
        case 200, 201: return .stored(try Self.storedObject(outcome.response.body, fallbackName: name.value))
        case 412: return .alreadyStored
        default: throw failure(outcome, "writing \(name.value)")
        }
    }

    /// A failed call as a `StorageError`: GCS's own message, the status, the attempts.
    private func failure(_ outcome: RetryPolicy.Outcome, _ action: String) -> StorageError {
        let status = outcome.response.status
        let message = (try? JSONParser.parse(outcome.response.body))?["error"]?["message"]?.stringValue ?? ""
        let detail =
            "\(action): GCS answered \(status)\(message.isEmpty ? "" : " (\(message.prefix(200)))")"
            + (outcome.attempts > 1 ? " after \(outcome.attempts) attempts" : "")
        switch status {
        case 401: return StorageError(.unauthorized, detail)
        case 404: return StorageError(.notFound, detail)
        case 400, 403, 409, 411, 413: return StorageError(.rejected, detail)
        default: return StorageError(.unavailable, detail)
        }
    }

    private static func parse(_ body: [UInt8]) throws(StorageError) -> JSON {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw StorageError(.unavailable, "GCS answered JSON that does not parse: \(error)")
        }
    }

    private static func storedObject(_ body: [UInt8], fallbackName: String) throws(StorageError) -> StoredObject {
        try storedObject(try parse(body), fallbackName: fallbackName)
    }

    /// An object resource (sizes are int64 strings in the JSON API).
    private static func storedObject(_ json: JSON, fallbackName: String) throws(StorageError) -> StoredObject {
        let size = json["size"]?.stringValue.flatMap { Int($0) } ?? json["size"]?.intValue ?? 0
        return StoredObject(
            name: json["name"]?.stringValue ?? fallbackName, size: size, contentType: json["contentType"]?.stringValue,
            updated: json["updated"]?.stringValue)
    }

    private static func fill(_ buffer: inout [UInt8], from source: any ByteSource) throws(StorageError) -> Int {
        do {
            return try buffer.withUnsafeMutableBytes { bytes throws(FileIO.Error) in try source.readFully(into: bytes) }
        } catch {
            throw StorageError(.unavailable, "reading the upload: \(error)")
        }
    }

    /// `bytes=0-262143` → 262144; no header → 0.
    private static func confirmedBytes(_ range: String?) -> Int {
        guard let range, let dash = range.lastIndex(of: "-"), let last = Int(range[range.index(after: dash)...]) else { return 0 }
        return last + 1
    }

    /// A path without its query (which can carry a page token or an upload id).
    private static func redacted(_ path: String) -> String {
        String(path.prefix { $0 != "?" })
    }
}
