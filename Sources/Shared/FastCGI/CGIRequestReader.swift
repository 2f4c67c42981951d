internal import CFastCGI

/// Reads one request from libfcgi: the CGI parameters nginx sends and the whole body (never
/// more than `maxBodyBytes`: a larger one is drained unread and refused).
struct CGIRequestReader {
    let fcgi: UnsafeMutablePointer<FCGX_Request>
    let maxBodyBytes: Int

    /// The request, and why its body could not be read if it could not.
    func read() -> (Request, ServiceError?) {
        let parameters = CGIParameters(envp: fcgi.pointee.envp)
        var body: [UInt8] = []
        var failure: ServiceError?
        do {
            body = try readBody(contentLength: parameters.contentLength)
        } catch {
            failure = error
        }
        let request = Request(
            method: parameters.method, path: parameters.path, query: parameters.query, headers: parameters.headers, body: body,
            remoteAddress: parameters.remoteAddress)
        return (request, failure)
    }

    private func readBody(contentLength: Int) throws(ServiceError) -> [UInt8] {
        if contentLength > maxBodyBytes {
            discardBody()
            throw ServiceError(.payloadTooLarge, "Request body is larger than \(maxBodyBytes) bytes")
        }
        defer { drainToEndOfInput() }
        guard contentLength > 0 else { return [] }
        // Straight into the array's storage (no zero fill first).
        var filled = 0
        let body = [UInt8](unsafeUninitializedCapacity: contentLength) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            while filled < contentLength {
                let read = FCGX_GetStr(base + filled, Int32(contentLength - filled), fcgi.pointee.in)
                if read <= 0 { break }
                filled += Int(read)
            }
            count = filled
        }
        if filled != contentLength { throw ServiceError.badRequest("Request body ended early") }
        return body
    }

    /// Reads up to the end of the request's input: the empty STDIN record that ends it may come
    /// after the body's bytes, in a later packet. Left unread on a kept connection, the next
    /// request would start with it — libfcgi takes that for a protocol error and closes the
    /// connection (seen in the keep-alive test about one run in six).
    /// Nearly always the end is already in libfcgi's buffer: one call, no allocation.
    private func drainToEndOfInput() {
        while FCGX_GetChar(fcgi.pointee.in) >= 0 {}
    }

    /// Reads and drops what is left of the body, so closing the connection cannot reset it
    /// before nginx has read the answer.
    private func discardBody() {
        var scratch = [CChar](repeating: 0, count: 65536)
        scratch.withUnsafeMutableBufferPointer { buffer in
            while FCGX_GetStr(buffer.baseAddress, Int32(buffer.count), fcgi.pointee.in) > 0 {}
        }
    }
}
