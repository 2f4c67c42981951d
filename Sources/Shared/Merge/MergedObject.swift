/// An object copied into the user's bucket and verified there (the same size and SHA-256 as
/// the contact bucket's copy): its rows may follow it.
package struct MergedObject: Sendable, Equatable {
    package var path: String
    package var sha256: String
    package var size: Int

    package init(path: String, sha256: String, size: Int) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    var json: JSON { .object(["path": .string(path), "sha256": .string(sha256), "size": .integer(size)]) }
}
