/// A response body produced while it is sent (a file read from storage piece by piece), so a
/// large download never sits whole in a worker's memory.
///
/// `produce` gets a `write` that sends one piece; it throws when the client went away. If
/// `produce` throws after the head went out, the connection ends early and the client sees a
/// truncated transfer (there is no Content-Length to satisfy).
package final class ResponseBodyStream: @unchecked Sendable {
    // Runs once, on the serving thread that built it.
    let produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void

    package init(_ produce: @escaping (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        self.produce = produce
    }
}
