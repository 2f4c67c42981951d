internal import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

/// The rows of one statement's answer, copied out of the `PGresult` (which is freed at once).
package struct PostgresResult: Sendable {
    package let rows: [[String?]]
    /// The columns' names, in order (an expression's is its alias: name them in the SQL).
    package let columns: [String]
    /// Rows affected, for INSERT/UPDATE/DELETE.
    package let affectedRows: Int

    init(_ result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(values)
        }
        self.rows = rows
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        affectedRows = Int(atol(PQcmdTuples(result)))
    }

    /// The first column of the first row.
    package var scalar: String? { rows.first?.first ?? nil }

    /// The rows, read by column name with typed accessors.
    package var records: [PostgresRow] { rows.map { PostgresRow(values: $0, columns: columns) } }
}

/// One row of a result, read by column name: `row.int("attempts")`, `row.bool("content_extracted")`.
package struct PostgresRow: Sendable {
    let values: [String?]
    let columns: [String]

    /// The column's text; nil for NULL or a column the statement does not return.
    package func string(_ column: String) -> String? {
        guard let index = columns.firstIndex(of: column), index < values.count else { return nil }
        return values[index]
    }

    package func int(_ column: String) -> Int? { string(column).flatMap { Int($0) } }

    package func int64(_ column: String) -> Int64? { string(column).flatMap { Int64($0) } }

    /// PostgreSQL's boolean text (`t`/`f`).
    package func bool(_ column: String) -> Bool? {
        switch string(column) {
        case "t", "true": true
        case "f", "false": false
        default: nil
        }
    }

    package func userID(_ column: String) -> UserID? { string(column).flatMap(UserID.init) }
}
