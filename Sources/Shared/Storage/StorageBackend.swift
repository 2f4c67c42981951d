/// The storage backend the environment asks for.
package enum StorageBackend {
    /// `STORAGE_BACKEND`: `filesystem` (the default; under `STORAGE_DIR`, default
    /// `./data/buckets`) or `gcs` (see `GCSObjectStorage.live`).
    /// Counted in `userbuckets_storage_operations_total`.
    package static func live(environment: Environment) throws -> any ObjectStorage {
        switch environment.get("STORAGE_BACKEND", default: "filesystem") {
        case "filesystem":
            return CountingObjectStorage(try FileSystemObjectStorage(root: environment.get("STORAGE_DIR", default: "./data/buckets")))
        case "gcs":
            return CountingObjectStorage(try GCSObjectStorage.live(environment: environment))
        default:
            throw Environment.Error(variable: "STORAGE_BACKEND", reason: "must be 'filesystem' or 'gcs'")
        }
    }
}
