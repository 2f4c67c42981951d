// libFuzzer entry point for the multipart/form-data parser (built by scripts/fuzz.sh, not by
// SwiftPM): any body is split into parts or refused without a crash, and every part's range
// lies inside the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first line is the boundary (as a Content-Type parameter), the rest the body.
    let newline = bytes.firstIndex(of: 10) ?? 0
    let boundary = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[min(newline + 1, bytes.count)...])
    guard let form = try? MultipartFormData(body: body, contentType: "multipart/form-data; boundary=" + boundary) else { return 0 }
    for part in form.parts {
        precondition(part.content.lowerBound >= 0 && part.content.upperBound <= body.count, "a part outside the body")
    }
    return 0
}
