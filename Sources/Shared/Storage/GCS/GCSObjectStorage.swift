/// Google Cloud Storage through its JSON API over libcurl.
///
/// One per serving thread: it owns one curl handle (connections are reused) and one token
/// cache. Idempotent calls are retried per `RetryPolicy`; a create-only write carries
/// `ifGenerationMatch=0`, which makes it safe to retry (412 means it is already there).
/// `STORAGE_EMULATOR_HOST` points it at an emulator and drops auth, as Google's libraries do.
package final class GCSObjectStorage: ObjectStorage {
    package var backendName: String { "gcs" }

    let configuration: Configuration
    let client: any HTTPClient
    /// nil: no auth (an emulator).
    let tokens: (any AccessTokenSource)?
    /// nil: no key to sign with (an emulator); download URLs are then plain emulator URLs.
    let signer: V4URLSigner?
    let clock: () -> Int

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

    package func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion {
        let outcome = try call("DELETE", "/storage/v1/b/\(name.value)", idempotent: true)
        switch outcome.response.status {
        case 200..<300: return .deleted
        // A retried delete whose first attempt went through finds nothing: deleted all the same.
        case 404: return outcome.attempts > 1 ? .deleted : .notFound
        // GCS says 409; its emulator (fake-gcs-server) 412.
        case 409, 412: return .notEmpty
        default: throw failure(outcome, "deleting bucket \(name.value)")
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
    func call(
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

    func authorization() throws(StorageError) -> [(name: String, value: String)] {
        guard let tokens else { return [] }
        return [("Authorization", "Bearer " + (try tokens.accessToken()))]
    }

    func written(_ outcome: RetryPolicy.Outcome, _ name: ObjectName) throws(StorageError) -> ObjectWrite {
        switch outcome.response.status {
        case 200, 201: return .stored(try Self.storedObject(outcome.response.body, fallbackName: name.value))
        case 412: return .alreadyStored
        default: throw failure(outcome, "writing \(name.value)")
        }
    }

    /// A failed call as a `StorageError`: GCS's own message, the status, the attempts.
    func failure(_ outcome: RetryPolicy.Outcome, _ action: String) -> StorageError {
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

    static func storedObject(_ body: [UInt8], fallbackName: String) throws(StorageError) -> StoredObject {
        try storedObject(try parse(body), fallbackName: fallbackName)
    }

    /// An object resource (sizes are int64 strings in the JSON API).
    static func storedObject(_ json: JSON, fallbackName: String) throws(StorageError) -> StoredObject {
        let size = json["size"]?.stringValue.flatMap { Int($0) } ?? json["size"]?.intValue ?? 0
        return StoredObject(
            name: json["name"]?.stringValue ?? fallbackName, size: size, contentType: json["contentType"]?.stringValue,
            updated: json["updated"]?.stringValue)
    }

    static func fill(_ buffer: inout [UInt8], from source: any ByteSource) throws(StorageError) -> Int {
        do {
            return try buffer.withUnsafeMutableBytes { bytes throws(FileIO.Error) in try source.readFully(into: bytes) }
        } catch {
            throw StorageError(.unavailable, "reading the upload: \(error)")
        }
    }

    /// `bytes=0-262143` → 262144; no header → 0.
    static func confirmedBytes(_ range: String?) -> Int {
        guard let range, let dash = range.lastIndex(of: "-"), let last = Int(range[range.index(after: dash)...]) else { return 0 }
        return last + 1
    }

    /// A path without its query (which can carry a page token or an upload id).
    private static func redacted(_ path: String) -> String {
        String(path.prefix { $0 != "?" })
    }
}
