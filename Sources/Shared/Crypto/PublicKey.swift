internal import COpenSSL

/// A public key held by OpenSSL (`EVP_PKEY`), freed in `deinit`; verifies RS256 and ES256.
package final class PublicKey: @unchecked Sendable {
    // EVP_PKEY is reference-counted and immutable after creation; verification is thread-safe.
    private let key: OpaquePointer

    private init(key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// A key from DER SubjectPublicKeyInfo.
    package convenience init(subjectPublicKeyInfo der: [UInt8]) throws(OpenSSLError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLError.drain("d2i_PUBKEY") }
        self.init(key: parsed)
    }

    /// A key from PEM (`-----BEGIN PUBLIC KEY-----`).
    package convenience init(pem: String) throws(OpenSSLError) {
        let bio = pem.withCString { BIO_new_mem_buf($0, Int32(strlen($0))) }
        guard let bio else { throw OpenSSLError.drain("BIO_new_mem_buf") }
        defer { BIO_free(bio) }
        guard let parsed = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else { throw OpenSSLError.drain("PEM_read_bio_PUBKEY") }
        self.init(key: parsed)
    }

    /// A P-256 key from its JWK `x` and `y` coordinates (32 bytes each).
    package convenience init(p256X x: [UInt8], y: [UInt8]) throws(OpenSSLError) {
        guard x.count == 32, y.count == 32 else {
            throw OpenSSLError(operation: "P-256 key", message: "coordinates must be 32 bytes")
        }
        // SubjectPublicKeyInfo for id-ecPublicKey / prime256v1, then the uncompressed point.
        let prefix: [UInt8] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
            0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
        ]
        try self.init(subjectPublicKeyInfo: prefix + x + y)
    }

    /// An RSA key from its JWK modulus `n` and exponent `e` (big-endian bytes).
    package convenience init(rsaModulus n: [UInt8], exponent e: [UInt8]) throws(OpenSSLError) {
        let rsaKey = DER.sequence(DER.unsignedInteger(n) + DER.unsignedInteger(e))
        let algorithm = DER.sequence(
            [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] + [0x05, 0x00])
        let spki = DER.sequence(algorithm + DER.bitString(rsaKey))
        try self.init(subjectPublicKeyInfo: spki)
    }

    /// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature (JWS RS256).
    package func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        verify(signature: signature, message: message)
    }

    /// Verifies a JWS ES256 signature: raw `r || s`, 64 bytes.
    package func verifyES256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        let der = DER.sequence(DER.unsignedInteger(Array(signature[0..<32])) + DER.unsignedInteger(Array(signature[32..<64])))
        return verify(signature: der, message: message)
    }

    private func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = signature.withUnsafeBufferPointer { signatureBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                EVP_DigestVerify(context, signatureBuffer.baseAddress, signatureBuffer.count, messageBuffer.baseAddress, messageBuffer.count)
            }
        }
        ERR_clear_error()
        return result == 1
    }
}

/// Just enough DER to build public keys and ECDSA signatures.
enum DER {
    static func length(_ count: Int) -> [UInt8] {
        if count < 128 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var remaining = count
        while remaining > 0 {
            bytes.insert(UInt8(remaining & 0xff), at: 0)
            remaining >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { [0x30] + length(content.count) + content }

    static func bitString(_ content: [UInt8]) -> [UInt8] { [0x03] + length(content.count + 1) + [0x00] + content }

    static func unsignedInteger(_ bytes: [UInt8]) -> [UInt8] {
        var value = Array(bytes.drop { $0 == 0 })
        if value.isEmpty { value = [0] }
        if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
        return [0x02] + length(value.count) + value
    }
}
