internal import CFastCGI

#if canImport(Glibc)
    import Glibc
#endif

/// The connections one serving thread holds, each with its libfcgi request (owned here: made
/// when a connection is accepted, freed when it closes).
struct KeptConnections: ~Copyable {
    private var requests: [UnsafeMutablePointer<FCGX_Request>] = []

    /// A request for the accepted connection `fd`, ready for `FCGX_Accept_r` (which then reads
    /// the request instead of accepting).
    mutating func open(_ fd: Int32) -> UnsafeMutablePointer<FCGX_Request> {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, 0, 0)
        request.pointee.ipcFd = fd
        // FCGX_Accept_r first finishes the previous request, which closes a connection not
        // marked kept; the BEGIN_REQUEST it reads then sets the flag nginx asked for.
        request.pointee.keepConnection = 1
        requests.append(request)
        return request
    }

    func request(for fd: Int32) -> UnsafeMutablePointer<FCGX_Request>? {
        requests.first { $0.pointee.ipcFd == fd }
    }

    func appendPollEntries(to entries: inout [pollfd]) {
        for request in requests where request.pointee.ipcFd >= 0 {
            entries.append(pollfd(fd: request.pointee.ipcFd, events: Int16(POLLIN), revents: 0))
        }
    }

    /// Closes the connection and frees its request.
    mutating func close(_ request: UnsafeMutablePointer<FCGX_Request>) {
        if request.pointee.ipcFd >= 0 { Glibc.close(request.pointee.ipcFd) }
        request.pointee.ipcFd = -1
        forget(request)
    }

    /// Frees a request whose connection libfcgi has closed.
    mutating func forget(_ request: UnsafeMutablePointer<FCGX_Request>) {
        guard let index = requests.firstIndex(of: request) else { return }
        requests.remove(at: index)
        FCGX_Free(request, 0)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    mutating func closeAll() {
        for request in requests { close(request) }
    }
}
