/// What answers the requests a `FastCGIServer` reads: the seam between the transport (libfcgi,
/// the serving loop, CGI output) and the function pipeline (`FunctionResponder`). One per
/// serving thread, so it may keep state about the request in flight.
package protocol FastCGIResponder: AnyObject {
    /// The answer to `request`. `readFailure`: the body could not be read (larger than the cap,
    /// cut short), and the answer should say so.
    func respond(to request: Request, readFailure: ServiceError?) -> Response
    /// A streamed body failed before its first byte (the object is gone, storage failed): what
    /// to send instead, since nothing of the response has gone out.
    func answer(streamFailure error: any Error, of response: Response) -> Response
    /// The response went out with `status`; the request is done.
    func finished(status: Int)
    /// What else the serving loop watches while it waits (the database's notifications).
    var watcher: (any DescriptorWatcher)? { get }
}

extension FastCGIResponder {
    package var watcher: (any DescriptorWatcher)? { nil }
}
