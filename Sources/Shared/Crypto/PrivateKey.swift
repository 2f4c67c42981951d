internal import COpenSSL

/// An RSA private key held by OpenSSL (`EVP_PKEY`), freed in `deinit`; signs RS256.
///
/// Reads PEM in both forms service-account keys come in: PKCS#8 (`BEGIN PRIVATE KEY`, what
/// Google issues) and PKCS#1 (`BEGIN RSA PRIVATE KEY`, what `openssl genrsa` wrote for years).
package final class PrivateKey: @unchecked Sendable {
    // EVP_PKEY is immutable after loading; signing with a fresh EVP_MD_CTX is thread-safe.
    private let key: OpaquePointer

    deinit {
        EVP_PKEY_free(key)
    }

    /// A key from PEM text. A literal `\n` (two characters, as env files carry it) counts as a
    /// line break.
    package init(pem: String) throws(OpenSSLError) {
        let text = pem.replacing("\\n", with: "\n")
        let bio = text.withCString { BIO_new_mem_buf($0, Int32(strlen($0))) }
        guard let bio else { throw OpenSSLError.drain("BIO_new_mem_buf") }
        defer { BIO_free(bio) }
        guard let loaded = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw OpenSSLError.drain("PEM_read_bio_PrivateKey")
        }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw OpenSSLError(operation: "PrivateKey", message: "not an RSA key")
        }
        key = loaded
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (JWS RS256, GOOG4-RSA-SHA256).
    package func signRS256<Message: Collection<UInt8>>(_ message: Message) throws(OpenSSLError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError.drain("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw OpenSSLError.drain("EVP_DigestSignInit")
        }
        let bytes = Array(message)
        var length = 0
        let sized = bytes.withUnsafeBufferPointer { EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) }
        guard sized == 1 else { throw OpenSSLError.drain("EVP_DigestSign") }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = bytes.withUnsafeBufferPointer { message in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(context, $0.baseAddress, &length, message.baseAddress, message.count) }
        }
        guard signed == 1 else { throw OpenSSLError.drain("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }
}
