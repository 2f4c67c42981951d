/// A store refused a record that would be the second of its kind (a user's second bucket row,
/// a bucket name twice): the neutral form of a unique violation, 409 when it reaches a caller.
package struct DuplicateRecord: Error, CustomStringConvertible {
    package let what: String

    package init(_ what: String) {
        self.what = what
    }

    package var description: String { "duplicate \(what)" }
}
