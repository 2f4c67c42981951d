extension GCSObjectStorage {
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
    func sendChunk(
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
}
