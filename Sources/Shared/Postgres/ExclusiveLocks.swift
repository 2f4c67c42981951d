/// Locks every process and host sharing the database respects: the seam for "only one of us at
/// a time" (one first bucket per user, one upload of the same bytes per user).
package protocol ExclusiveLocks: AnyObject {
    /// Runs `body` holding an exclusive lock on `key`, inside one transaction: what `body`
    /// writes on the same connection commits with the lock's release. Reentrant.
    func withExclusiveLock<T>(_ key: String, _ body: () throws -> T) throws -> T
}
