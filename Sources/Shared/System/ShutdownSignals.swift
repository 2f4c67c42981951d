package import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM, SIGINT, SIGQUIT and SIGUSR1 (libfcgi's "shutdown pending"): how a supervisor asks a
/// worker to finish what it holds and leave. SIGQUIT is among them because multiwatch and nginx
/// use it as a graceful stop, and left to the Swift runtime it starts a crash backtrace after
/// which the worker goes on living with a thread spinning on a closed socket.
package enum ShutdownSignals {
    /// Set once one of them arrived: the process's one stop flag, which serving and job loops
    /// read between requests and jobs.
    package static let requested = Atomic<Bool>(false)

    /// Called from the handler after the flag is set (libfcgi's `FCGX_ShutdownPending`).
    nonisolated(unsafe) private static var hook: (@convention(c) () -> Void)?

    /// Handles the four — sets `requested`, then calls `hook` — without `SA_RESTART` (a
    /// blocked `accept()` or `read()` returns EINTR), and unblocks them: a parent may hand down
    /// a mask that blocks them, and the mask survives exec.
    package static func install(alsoCalling hook: (@convention(c) () -> Void)? = nil) {
        Self.hook = hook
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            ShutdownSignals.requested.store(true, ordering: .relaxed)
            ShutdownSignals.hook?()
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var handled = set()
        for signal in signals { sigaction(signal, &action, nil) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Keeps them off the calling thread, so they reach the main thread.
    package static func blockOnThisThread() {
        var blocked = set()
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }

    private static let signals = [SIGTERM, SIGINT, SIGQUIT, SIGUSR1]

    private static func set() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}
