package import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one JSON object per line to stderr, for the supervisor (or journald) to collect.
///
/// Messages are constant strings; data travels as metadata. Nothing here masks values: callers
/// put only masked phone numbers (`PhoneNumber.masked`) and never tokens into metadata.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    private let label: String

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var object = JSONObject()
        object["ts"] = .string(Self.timestamp())
        object["level"] = .string(event.level.rawValue)
        object["logger"] = .string(label)
        object["msg"] = .string(event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            object[key] = Self.json(merged[key]!)
        }
        var line = JSON.object(object).serialized() + "\n"
        // One write(2) per line keeps lines from several threads or processes whole.
        line.withUTF8 { buffer in
            _ = Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible):
            // Numbers as JSON numbers (`"status":200`), so log queries can compare them.
            switch convertible {
            case let number as Int: .integer(number)
            case let number as Int64: .integer(Int(number))
            case let number as Int32: .integer(Int(number))
            case let number as Double where number.isFinite: .number(String(number))
            case let flag as Bool: .bool(flag)
            default: .string(convertible.description)
            }
        case .array(let values): .array(values.map(json))
        case .dictionary(let dictionary):
            .object(
                dictionary.keys.sorted().reduce(into: JSONObject()) { object, key in
                    object[key] = json(dictionary[key]!)
                })
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = time_t(now.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

extension Logger {
    /// A logger writing JSON lines to stderr at the level named by `LOG_LEVEL` (default info).
    package static func json(label: String, environment: Environment) -> Logger {
        var logger = Logger(label: label) { JSONLogHandler(label: $0) }
        logger.logLevel = environment.get("LOG_LEVEL").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        return logger
    }
}
