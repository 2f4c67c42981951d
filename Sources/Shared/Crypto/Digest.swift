internal import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL, and a constant-time comparison.
package enum Digest {
    /// SHA-256 of `bytes`.
    package static func sha256<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        // Contiguous input (arrays, slices) is hashed in place: no copy of a large upload.
        let hashed: Void? = bytes.withContiguousStorageIfAvailable { source in
            output.withUnsafeMutableBufferPointer { target in
                _ = SHA256(source.baseAddress, source.count, target.baseAddress)
            }
        }
        if hashed == nil {
            let input = Array(bytes)
            input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    _ = SHA256(source.baseAddress, source.count, target.baseAddress)
                }
            }
        }
        return output
    }

    /// HMAC-SHA256 of `message` under `key`.
    package static func hmacSHA256<Key: Collection<UInt8>, Message: Collection<UInt8>>(key: Key, message: Message) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        keyBytes.withUnsafeBufferPointer { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { target in
                    _ = HMAC(
                        EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress,
                        messageBuffer.count, target.baseAddress, &length)
                }
            }
        }
        return output
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths.
    package static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Lowercase hex of `bytes`.
    package static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
