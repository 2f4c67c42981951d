internal import CFastCGI

/// Writes a `Response` to libfcgi's output stream as CGI (head, then body). Head and body go
/// to libfcgi's buffer separately, with no copy of the body into one array. A streamed body's
/// head waits for its first bytes: a stream that fails before any is answered with what the
/// responder says instead of an empty 200.
struct CGIResponseWriter {
    let fcgi: UnsafeMutablePointer<FCGX_Request>

    /// Writes `response`; returns the status that went out.
    func write(_ response: Response, responder: any FastCGIResponder, onEarlyEnd: (any Error) -> Void) -> Int {
        guard let stream = response.bodyStream else {
            // The closure in place (not stored): nothing is allocated for it or its flag.
            var clientGone = false
            response.writeHead { piece in if !clientGone { clientGone = !put(piece) } }
            if !clientGone { _ = response.body.withUnsafeBytes { put($0) } }
            return response.status.code
        }
        return write(response, streaming: stream, responder: responder, onEarlyEnd: onEarlyEnd)
    }

    private func write(
        _ response: Response, streaming stream: ResponseBodyStream, responder: any FastCGIResponder, onEarlyEnd: (any Error) -> Void
    ) -> Int {
        var clientGone = false
        let emit: (UnsafeRawBufferPointer) -> Void = { piece in
            if !clientGone { clientGone = !put(piece) }
        }
        var headSent = false
        do {
            try stream.produce { piece in
                if !headSent {
                    headSent = true
                    response.writeHead(emit)
                }
                guard !clientGone, put(piece) else { throw ClientGone() }
            }
            if !headSent { response.writeHead(emit) }  // an empty body
            return response.status.code
        } catch {
            guard !headSent else {
                onEarlyEnd(error)
                return response.status.code
            }
            let answer = responder.answer(streamFailure: error, of: response)
            answer.writeHead(emit)
            if !clientGone { _ = answer.body.withUnsafeBytes { put($0) } }
            return answer.status.code
        }
    }

    private struct ClientGone: Error {}

    /// False when the client went away (nothing more to do).
    private func put(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, Int(Int32.max))
            let written = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, Int32(chunk), fcgi.pointee.out)
            if written < 0 { return false }
            offset += Int(written)
        }
        return true
    }
}
