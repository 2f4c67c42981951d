import Foundation
import Shared
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The running stack the test command started (`scripts/stack.sh`), read from the env file
/// named by `UB_STACK_ENV`. Integration suites are enabled only when it is set.
struct Stack: Sendable {
    let values: [String: String]

    static let current: Stack? = {
        guard let path = ProcessInfo.processInfo.environment["UB_STACK_ENV"],
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            values[String(line[..<equals])] = value
        }
        return Stack(values: values)
    }()

    static var isRunning: Bool { current != nil }

    static var shared: Stack { current! }

    var port: UInt16 { UInt16(values["UB_PORT"]!)! }
    var state: String { values["UB_STATE"]! }
    var bin: String { values["UB_BIN"]! }
    var storageDir: String { values["STORAGE_DIR"]! }
    var jwtSecret: String { values["SUPABASE_JWT_SECRET"]! }
    var prefix: String { values["GCS_BUCKET_PREFIX"]! }

    var environment: Environment { Environment(values) }

    func client() -> HTTPTestClient { HTTPTestClient(port: port) }

    /// A new connection to the stack's database.
    func database() -> PostgresConnection {
        PostgresConnection(configuration: .init(conninfo: values["DATABASE_URL"]!))
    }

    /// Runs a shell command with the stack's variables, returning its exit status and standard
    /// output. posix_spawn and waitpid directly: Foundation's Process can miss the child's exit
    /// on Linux and wait forever.
    @discardableResult
    func shell(_ command: String, stdin: String? = nil) throws -> (status: Int32, output: String) {
        let scratch = NSTemporaryDirectory() + "ub-shell-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: scratch + ".out")
            try? FileManager.default.removeItem(atPath: scratch + ".in")
        }
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: scratch + ".in"))
        var exports = ""
        for (key, value) in values { exports += "export \(key)='\(value.replacingOccurrences(of: "'", with: "'\\''"))'\n" }
        let script = exports + "( \(command) ) <'\(scratch).in' >'\(scratch).out'"
        var pid: pid_t = 0
        let arguments = ["/bin/bash", "-c", script]
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, cArguments, environ)
        guard spawned == 0 else { throw HTTPTestClient.Failure(description: "posix_spawn failed: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: scratch + ".out", encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, output)
    }

    /// The worker processes of one function's pool (children of its multiwatch).
    func workers(of function: String) throws -> [Int32] {
        let pid = try String(contentsOfFile: "\(state)/run/\(function).pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { Int32($0) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Every integration suite's condition: the stack the test command starts
    /// (`scripts/stack.sh`, named by `UB_STACK_ENV`) is running.
    static var onTheStack: Self {
        .enabled(if: Stack.isRunning, "needs the stack scripts/test.sh starts (UB_STACK_ENV)")
    }
}
