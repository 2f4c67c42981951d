/// A file descriptor the serving loop polls beside its sockets while it waits for requests
/// (the database connection's, for its notifications), and what to do when it is readable.
/// Runs between requests, on the serving thread.
package protocol DescriptorWatcher: AnyObject {
    /// The descriptor to watch now (it changes when the connection is made again); nil: none.
    var descriptor: Int32? { get }
    func descriptorReady()
}
