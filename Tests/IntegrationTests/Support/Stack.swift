import Foundation
import Shared
import Testing

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

    /// Runs a shell command, returning its exit status and standard output.
    @discardableResult
    func shell(_ command: String, stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in values { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The worker processes of one function's pool (children of its multiwatch).
    func workers(of function: String) throws -> [Int32] {
        let pid = try String(contentsOfFile: "\(state)/run/\(function).pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").compactMap { Int32($0) }
    }
}
