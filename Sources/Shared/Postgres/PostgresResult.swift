internal import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

/// The rows of one statement's answer, copied out of the `PGresult` (which is freed at once).
package struct PostgresResult: Sendable {
    package let rows: [[String?]]
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
        affectedRows = Int(atol(PQcmdTuples(result)))
    }

    /// The first column of the first row.
    package var scalar: String? { rows.first?.first ?? nil }
}
