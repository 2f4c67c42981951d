import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Where the CLI finds its settings: the process's environment, then an env file — the one
/// `--env-file PATH` names (`UB_ENV_FILE` too), or, when `DATABASE_URL` is not set, the local
/// stack's (`.local/env`, what `scripts/run.sh` writes) in the current folder or any folder
/// above it, or above the executable (a checkout's `.build/…/userbuckets`). Variables already
/// set win over the file's.
enum EnvironmentFile {
    /// Takes `--env-file PATH` (or `--env-file=PATH`) out of `arguments`, loads the file found,
    /// and returns the other arguments.
    static func load(arguments: [String]) -> [String] {
        var rest: [String] = []
        var named = getenv("UB_ENV_FILE").map { String(cString: $0) }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--env-file", index + 1 < arguments.count {
                named = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--env-file=") {
                named = String(argument.dropFirst("--env-file=".count))
            } else {
                rest.append(argument)
            }
            index += 1
        }
        if let named {
            guard let text = try? FileIO.read(path: named) else {
                FileHandleStandardError.write("userbuckets: cannot read the env file \(named)\n")
                exit(64)
            }
            apply(String(decoding: text, as: UTF8.self))
        } else if getenv("DATABASE_URL") == nil, let found = localStackFile(), let text = try? FileIO.read(path: found) {
            apply(String(decoding: text, as: UTF8.self))
        }
        return rest
    }

    /// `.local/env` in the current folder or above, or above the executable.
    static func localStackFile() -> String? {
        var starts: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        if getcwd(&buffer, buffer.count) != nil {
            starts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 { starts.append(String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        for start in starts {
            var folder = start
            while !folder.isEmpty {
                let candidate = folder + "/.local/env"
                if access(candidate, R_OK) == 0 { return candidate }
                guard let slash = folder.lastIndex(of: "/") else { break }
                folder = String(folder[..<slash])
            }
        }
        return nil
    }

    /// `KEY=value` and `KEY='value'` lines; a variable already set is kept.
    static func apply(_ text: String) {
        for line in text.split(separator: "\n") {
            let line = line.trimmingSpaces()
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("'") && value.hasSuffix("'") || value.hasPrefix("\"") && value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            setenv(key, value, 0)
        }
    }
}

/// Writes to standard error (one write).
enum FileHandleStandardError {
    static func write(_ text: String) {
        Array(text.utf8).withUnsafeBytes { _ = POSIX.writeAll(2, $0) }
    }
}
