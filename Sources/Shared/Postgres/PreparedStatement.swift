/// A SQL statement prepared once per connection and run with `$n` text parameters.
///
/// Statements are declared as static constants next to the code that uses them; the name is
/// derived from the SQL so two different statements never share one.
package struct PreparedStatement: Sendable, Hashable {
    package let name: String
    package let sql: String

    package init(_ sql: String) {
        self.sql = sql
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        self.name = "ub_" + String(hash, radix: 36)
    }
}
