#if canImport(Glibc)
    import Glibc
#endif

/// A program run to its end with a wall-clock budget: its standard output and error are read
/// as it writes them (each up to a cap; past it the child is killed), and at the deadline it
/// is killed (SIGKILL) and reaped. Standard input is `/dev/null`.
package enum ChildProcess {
    package enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed at the deadline.
        case timedOut
        /// Killed for writing more than the cap.
        case tooMuchOutput
    }

    package struct Result: Sendable {
        package var ending: Ending
        package var output: [UInt8]
        package var errors: [UInt8]
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// A pipe whose ends no other child inherits.
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    package static func run(
        _ path: String, arguments: [String], timeoutMs: Int, maxOutputBytes: Int, maxErrorBytes: Int = 4096
    ) throws(Failure) -> Result {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw Failure(description: "pipe failed: errno \(errno)") }
        guard makePipe(&errPipe) else {
            close(outPipe[0])
            close(outPipe[1])
            throw Failure(description: "pipe failed: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw Failure(description: "\(path) could not be started: errno \(spawned)")
        }
        var result = Result(ending: .exited(0), output: [], errors: [])
        var killedFor: Ending?
        let deadline = MonotonicClock.milliseconds() + timeoutMs
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !open.isEmpty {
            let left = deadline - MonotonicClock.milliseconds()
            if left <= 0 {
                killedFor = .timedOut
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1000)))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) }
                if count <= 0 {
                    if count == 0 || errno != EINTR {
                        close(entry.fd)
                        open.removeAll { $0 == entry.fd }
                    }
                    continue
                }
                if entry.fd == outPipe[0] {
                    result.output.append(contentsOf: buffer[..<count])
                    if result.output.count > maxOutputBytes { killedFor = .tooMuchOutput }
                } else if result.errors.count < maxErrorBytes {
                    result.errors.append(contentsOf: buffer[..<min(count, maxErrorBytes - result.errors.count)])
                }
            }
            if killedFor != nil { break }
        }
        if let killedFor {
            kill(pid, SIGKILL)
            result.ending = killedFor
        }
        open.forEach { close($0) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if killedFor == nil {
            result.ending = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        }
        return result
    }
}
