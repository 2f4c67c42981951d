internal import COpenSSL

/// An OpenSSL failure, with the library's error queue drained into `message`.
package struct OpenSSLError: Error, CustomStringConvertible {
    package let operation: String
    package let message: String

    package var description: String { "OpenSSL \(operation) failed: \(message)" }

    /// Drains OpenSSL's thread-local error queue.
    static func drain(_ operation: String) -> OpenSSLError {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(operation: operation, message: messages.isEmpty ? "unknown error" : messages.joined(separator: "; "))
    }
}
