// libFuzzer entry point for the JWT verifier (built by scripts/fuzz.sh, not by SwiftPM): any
// token, signed with the fuzzer's secret or not, is accepted or refused without a trap (claims
// at the ends of Int, malformed base64 and JSON, every algorithm name).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // As given, and with the header and claims it holds signed for real (so the fuzzer reaches
    // the claim checks, not only the signature).
    _ = try? verifier.verify(String(decoding: bytes, as: UTF8.self), now: 1_779_451_300)
    let split = bytes.firstIndex(of: 0) ?? bytes.count / 2
    let message = Base64URL.encode(bytes[..<split]) + "." + Base64URL.encode(bytes[min(split + 1, bytes.count)...])
    let signed = message + "." + Base64URL.encode(secret.authenticate(Array(message.utf8)))
    for now in [0, 1_779_451_300, Int.max, Int.min] {
        _ = try? verifier.verify(signed, now: now)
    }
    _ = JWTVerifier.expiry(of: signed)
    return 0
}

let secret = HMACKey(Array("fuzz-secret-fuzz-secret-fuzz-secret-32".utf8))
let verifier = JWTVerifier(hmacSecret: "fuzz-secret-fuzz-secret-fuzz-secret-32")
