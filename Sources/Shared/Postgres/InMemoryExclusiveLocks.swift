#if canImport(Glibc)
    import Glibc
#endif

/// `ExclusiveLocks` in one process, for tests: one recursive mutex for every key.
package final class InMemoryExclusiveLocks: ExclusiveLocks, @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    package init() {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
    }

    package func withExclusiveLock<T>(_ key: String, _ body: () throws -> T) throws -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
