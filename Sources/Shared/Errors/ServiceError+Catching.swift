extension ServiceError {
    /// Runs `body`, turning what its dependencies throw into the answer a caller gets: a
    /// `ServiceError` as it is, a `StorageError` as 502 "Storage unavailable", anything else
    /// (libpq) as 503 "Database unavailable". The cause stays in `underlying` for the log.
    package static func catching<T>(_ body: () throws -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch let error as ServiceError {
            throw error
        } catch let error as StorageError {
            throw ServiceError.storage(error)
        } catch {
            throw ServiceError.database(error)
        }
    }
}
