internal import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// `HTTPClient` over one libcurl easy handle, reused so connections stay open between calls.
///
/// Not thread-safe: one per serving thread, or behind a lock. Only http and https are allowed
/// (also on redirects, which are not followed unless asked), every call has connect and total
/// timeouts, and a body larger than `maxResponseBytes` ends the transfer.
package final class CurlHTTPClient: HTTPClient {
    /// Timeouts and limits.
    package struct Configuration: Sendable {
        package var connectTimeoutMs: Int
        package var totalTimeoutMs: Int
        package var maxResponseBytes: Int
        /// The proxy for outbound calls, only when configured for this product
        /// (`UB_OUTBOUND_PROXY`, a curl proxy URL). libcurl's own `http_proxy`, `https_proxy` and
        /// `ALL_PROXY` variables are never honoured: a variable set for something else on the
        /// host must not route our calls (and pinned downloads never use a proxy).
        package var proxy: String?

        package init(
            connectTimeoutMs: Int = 3000, totalTimeoutMs: Int = 10_000, maxResponseBytes: Int = 1 << 20,
            proxy: String? = Environment.process().get("UB_OUTBOUND_PROXY")
        ) {
            self.connectTimeoutMs = connectTimeoutMs
            self.totalTimeoutMs = totalTimeoutMs
            self.maxResponseBytes = maxResponseBytes
            self.proxy = proxy.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let configuration: Configuration
    private let handle: UnsafeMutableRawPointer

    package init(configuration: Configuration = Configuration()) {
        _ = Self.globalInit
        self.configuration = configuration
        self.handle = curl_easy_init()
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    package func send(
        _ request: HTTPClientRequest, download: ((UnsafeRawBufferPointer) throws -> Void)?
    ) throws(HTTPClientError) -> HTTPClientResponse {
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            throw HTTPClientError(.invalidURL, "only http and https are allowed")
        }
        curl_easy_reset(handle)
        let limit = request.maxResponseBytes ?? configuration.maxResponseBytes
        let sink = ResponseSink(limit: limit, handle: handle, download: download)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        var resolveList: UnsafeMutablePointer<curl_slist>?
        // The lists and the body must outlive the transfer: curl borrows them.
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(resolveList)
        }
        if let pinned = request.pinnedAddress { resolveList = curl_slist_append(nil, pinned) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        let body = request.body
        // "" turns every proxy off, the environment's included.
        let proxy = request.direct ? "" : configuration.proxy ?? ""
        let code: CURLcode = request.url.withCString { url in
            request.method.withCString { method in
                body.withUnsafeBytes { bodyBytes in
                    _ = ccurl_setopt_ptr(handle, CURLOPT_URL, url)
                    _ = ccurl_setopt_ptr(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                    _ = ccurl_setopt_ptr(handle, CURLOPT_PROXY, proxy)
                    _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                    _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeoutMs)
                    _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutMs ?? configuration.totalTimeoutMs)
                    _ = ccurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList)
                    if let resolveList { _ = ccurl_setopt_ptr(handle, CURLOPT_RESOLVE, resolveList) }
                    if request.method != "GET" {
                        _ = ccurl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, method)
                    }
                    if !body.isEmpty || request.method == "POST" || request.method == "PUT" {
                        _ = ccurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, bodyBytes.baseAddress)
                        _ = ccurl_setopt_int64(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    }
                    _ = ccurl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
                    _ = ccurl_setopt_ptr(handle, CURLOPT_WRITEDATA, sinkPointer)
                    _ = ccurl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
                    _ = ccurl_setopt_ptr(handle, CURLOPT_HEADERDATA, sinkPointer)
                    return curl_easy_perform(handle)
                }
            }
        }
        if sink.overflowed { throw HTTPClientError(.tooLarge, "response larger than \(limit) bytes") }
        if let error = sink.downloadError { throw HTTPClientError(.aborted, "\(error)") }
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            switch code {
            case CURLE_OPERATION_TIMEDOUT: throw HTTPClientError(.timeout, message)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: throw HTTPClientError(.connect, message)
            case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: throw HTTPClientError(.invalidURL, message)
            default: throw HTTPClientError(.transport, message)
            }
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Collects one response; curl's callbacks reach it through an opaque pointer.
private final class ResponseSink {
    let limit: Int
    let handle: UnsafeMutableRawPointer
    let download: ((UnsafeRawBufferPointer) throws -> Void)?
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false
    var downloadError: (any Error)?
    /// Whether the body goes to `download`: decided at its first bytes, by the status.
    var streaming: Bool?

    init(limit: Int, handle: UnsafeMutableRawPointer, download: ((UnsafeRawBufferPointer) throws -> Void)?) {
        self.limit = limit
        self.handle = handle
        self.download = download
    }

    /// Takes the next piece of the body; false ends the transfer.
    func take(_ piece: UnsafeRawBufferPointer) -> Bool {
        if streaming == nil {
            var status = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            streaming = download != nil && (200..<300).contains(status)
        }
        if streaming == true, let download {
            do {
                try download(piece)
                return true
            } catch {
                downloadError = error
                return false
            }
        }
        if body.count + piece.count > limit {
            overflowed = true
            return false
        }
        body.append(contentsOf: piece)
        return true
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return sink.take(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0  // 0 ends the transfer
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()  // a new response (after a 100 or a redirect)
        sink.streaming = nil
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = Substring(line[line.index(after: colon)...]).trimmingSpaces().trimmingLineEnd()
        sink.headers[name] = value
    }
    return length
}

extension String {
    fileprivate func trimmingLineEnd() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\r" || last == "\n" || last == "\r\n" { text = text.dropLast() }
        return String(text)
    }
}
