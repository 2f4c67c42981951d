internal import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

/// One libpq connection, owned for a worker's lifetime.
///
/// It connects on first use (a worker starts even while the database is down), prepares each
/// statement once, and after the server restarts or the link breaks it reconnects and prepares
/// again. A statement outside a transaction that fails because the connection broke is retried
/// once on a new connection; statements inside a transaction are not (the whole transaction is).
package final class PostgresConnection {
    /// Where and how to connect.
    package struct Configuration: Sendable {
        /// A libpq connection string or URI.
        package var conninfo: String
        /// Server-side statement timeout in milliseconds.
        package var statementTimeoutMs: Int
        /// Connect timeout in seconds.
        package var connectTimeoutSeconds: Int

        package init(conninfo: String, statementTimeoutMs: Int = 5000, connectTimeoutSeconds: Int = 3) {
            self.conninfo = conninfo
            self.statementTimeoutMs = statementTimeoutMs
            self.connectTimeoutSeconds = connectTimeoutSeconds
        }

        /// Reads `DATABASE_URL` (required; a libpq URI or key=value string),
        /// `UB_DB_STATEMENT_TIMEOUT_MS` (default 5000) and `UB_DB_CONNECT_TIMEOUT` (s, default 3).
        package init(environment: Environment) throws(Environment.Error) {
            self.init(
                conninfo: try environment.require("DATABASE_URL"),
                statementTimeoutMs: try environment.integer("UB_DB_STATEMENT_TIMEOUT_MS", default: 5000),
                connectTimeoutSeconds: try environment.integer("UB_DB_CONNECT_TIMEOUT", default: 3))
        }
    }

    private let configuration: Configuration
    private var handle: OpaquePointer?
    private var prepared: Set<String> = []
    private var transactionDepth = 0
    /// Channels this connection LISTENs on, again after every reconnect.
    private var channels: [String] = []
    /// Counts connections made; with channels, the number of the one listening now.
    private var connections = 0

    package init(configuration: Configuration) {
        self.configuration = configuration
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Runs a prepared statement with text parameters (nil is SQL NULL).
    @discardableResult
    package func execute(_ statement: PreparedStatement, _ binds: [any PostgresBindable] = []) throws(PostgresError) -> PostgresResult {
        let parameters = binds.map(\.postgresText)
        do {
            return try executeOnce(statement, parameters)
        } catch let error where error.kind == .connection && transactionDepth == 0 {
            disconnect()
            return try executeOnce(statement, parameters)
        }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws. When the
    /// connection breaks, the transaction is rolled back by the server and `body` runs once more
    /// on a new connection, so `body` must be safe to repeat.
    /// A transaction inside a transaction joins the outer one.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        do {
            return try transactionOnce(body)
        } catch let error as PostgresError where error.kind == .connection {
            disconnect()
            return try transactionOnce(body)
        }
    }

    private func transactionOnce<T>(_ body: () throws -> T) throws -> T {
        try simple("BEGIN")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let value = try body()
            try simple("COMMIT")
            return value
        } catch {
            try? simple("ROLLBACK")
            throw error
        }
    }

    /// Runs SQL text with no parameters (migrations, BEGIN/COMMIT). Never with input values.
    package func simple(unsafeSQL sql: String) throws(PostgresError) {
        try simple(sql)
    }

    private func simple(_ sql: String) throws(PostgresError) {
        let connection = try connected()
        guard let result = PQexec(connection, sql) else { throw connectionError(connection) }
        defer { PQclear(result) }
        try check(result, connection)
    }

    private func executeOnce(_ statement: PreparedStatement, _ parameters: [String?]) throws(PostgresError) -> PostgresResult {
        let connection = try connected()
        if !prepared.contains(statement.name) {
            guard let result = PQprepare(connection, statement.name, statement.sql, 0, nil) else {
                throw connectionError(connection)
            }
            defer { PQclear(result) }
            try check(result, connection)
            prepared.insert(statement.name)
        }
        let result = Self.withCStrings(parameters) { values in
            PQexecPrepared(connection, statement.name, Int32(parameters.count), values, nil, nil, 0)
        }
        guard let result else { throw connectionError(connection) }
        defer { PQclear(result) }
        try check(result, connection)
        return PostgresResult(result)
    }

    /// The parameters as NUL-terminated strings in one buffer (nil stays a null pointer: SQL
    /// NULL), for the duration of `body`.
    private static func withCStrings<T>(
        _ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let byteCount = values.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: byteCount) { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: max(1, values.count)) { pointers in
                var offset = 0
                for (index, value) in values.enumerated() {
                    guard let value else {
                        pointers[index] = nil
                        continue
                    }
                    let start = bytes.baseAddress! + offset
                    for byte in value.utf8 {
                        bytes[offset] = CChar(bitPattern: byte)
                        offset += 1
                    }
                    bytes[offset] = 0
                    offset += 1
                    pointers[index] = UnsafePointer(start)
                }
                return body(UnsafePointer(pointers.baseAddress))
            }
        }
    }

    private func check(_ result: OpaquePointer, _ connection: OpaquePointer) throws(PostgresError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            if PQstatus(connection) != CONNECTION_OK { throw connectionError(connection) }
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            // The primary message only: DETAIL lines quote row values ("Key (whatsapp_number)=(…)"),
            // which must not reach a log.
            let message =
                PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? "statement failed"
            // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx: the link.
            if let sqlState, sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") {
                throw PostgresError(kind: .connection, sqlState: sqlState, message: message)
            }
            throw PostgresError(kind: .statement, sqlState: sqlState, message: message)
        }
    }

    private func connectionError(_ connection: OpaquePointer) -> PostgresError {
        PostgresError(kind: .connection, sqlState: nil, message: String(cString: PQerrorMessage(connection)))
    }

    private func connected() throws(PostgresError) -> OpaquePointer {
        if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
        disconnect()
        let keywords = ["dbname", "connect_timeout", "options", "application_name"]
        let values = [
            configuration.conninfo, String(configuration.connectTimeoutSeconds),
            // Generic plans: every statement here is a keyed OLTP lookup, and re-planning each
            // execution (what the planner picks for `= ANY($1)`) costs more than running it.
            // Warnings and errors only: a NOTICE ("relation … already exists, skipping") is not news.
            // Times in UTC: answers carry them as PostgREST writes them (`to_json`, ISO 8601).
            "-c statement_timeout=\(configuration.statementTimeoutMs) -c plan_cache_mode=force_generic_plan -c client_min_messages=warning -c TimeZone=UTC",
            "userbuckets",
        ]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                // expand_dbname = 1: `dbname` may hold a full URI or key=value string.
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, sqlState: nil, message: "out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = connectionError(connection)
            PQfinish(connection)
            throw error
        }
        for channel in channels {
            guard let result = PQexec(connection, "LISTEN \(channel)") else {
                let error = connectionError(connection)
                PQfinish(connection)
                throw error
            }
            let ok = PQresultStatus(result) == PGRES_COMMAND_OK
            PQclear(result)
            guard ok else {
                let error = connectionError(connection)
                PQfinish(connection)
                throw error
            }
        }
        handle = connection
        connections += 1
        return connection
    }

    /// Drops the connection; the next statement connects again.
    package func disconnect() {
        if let handle { PQfinish(handle) }
        handle = nil
        prepared.removeAll()
    }

    // MARK: notifications

    /// LISTENs on `channel` (a plain identifier) from the next connection on, and on every
    /// reconnect after it. Call before the first statement.
    package func listen(on channel: String) {
        precondition(channel.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "channel must be an identifier")
        if !channels.contains(channel) { channels.append(channel) }
        disconnect()
    }

    /// Which connection is listening now (a new number after every reconnect, when
    /// notifications may have been missed); nil while not connected.
    package var listeningConnection: Int? {
        guard let handle, PQstatus(handle) == CONNECTION_OK, !channels.isEmpty else { return nil }
        return connections
    }

    /// The socket to watch for notifications while idle; nil while not connected.
    package var socket: Int32? {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return nil }
        let fd = PQsocket(handle)
        return fd >= 0 ? fd : nil
    }

    /// Reads what the server sent (`read`: from the socket too, else only what libpq already
    /// holds) and returns the notifications' payloads; nil when the connection is gone (then it
    /// is dropped: notifications may have been lost).
    package func notifications(read: Bool) -> [String]? {
        guard let handle else { return nil }
        if read, PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
            disconnect()
            return nil
        }
        var payloads: [String] = []
        while let notice = PQnotifies(handle) {
            payloads.append(String(cString: notice.pointee.extra))
            PQfreemem(notice)
        }
        return payloads
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
