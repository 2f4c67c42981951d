/// The pieces every function is built from, wired once per serving thread: every store is a
/// seam (PostgreSQL live, in memory for tests), none hands out the connection itself.
package struct CoreServices {
    package let normalizer: PhoneNormalizer
    /// The normalizer's answers remembered (this thread's; see `NumberMemo`).
    package let numbers: NumberMemo
    package let directory: any UserDirectory
    package let identifier: UserIdentifier
    package let mappings: any BucketMappingStore
    package let locks: any ExclusiveLocks
    package let provisioner: BucketProvisioner
    package let storage: any ObjectStorage
    package let authenticator: Authenticator
    package let messages: any ChatwootMessageStore
    package let knowledgeFiles: any KnowledgeFileStore
    package let jobs: any JobQueue
    package let audioRecords: any AudioRecords
    /// Contact buckets and their merges into users' buckets.
    package let merges: any ContactMergeStore
    /// What the serving loop watches for this thread (the identification cache's notifications).
    package let watcher: (any DescriptorWatcher)?

    package init(
        normalizer: PhoneNormalizer, directory: any UserDirectory, mappings: any BucketMappingStore, locks: any ExclusiveLocks,
        storage: any ObjectStorage, naming: BucketNaming, authenticator: Authenticator, messages: any ChatwootMessageStore,
        knowledgeFiles: any KnowledgeFileStore, jobs: any JobQueue, audioRecords: any AudioRecords, merges: any ContactMergeStore,
        watcher: (any DescriptorWatcher)? = nil
    ) {
        self.normalizer = normalizer
        self.numbers = NumberMemo(normalizer: normalizer)
        self.directory = directory
        self.identifier = UserIdentifier(directory: directory)
        self.mappings = mappings
        self.locks = locks
        self.provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: mappings, locks: locks)
        self.storage = storage
        self.authenticator = authenticator
        self.messages = messages
        self.knowledgeFiles = knowledgeFiles
        self.jobs = jobs
        self.audioRecords = audioRecords
        self.merges = merges
        self.watcher = watcher
    }

    /// Built from the environment:
    /// - `DATABASE_URL` (secret; required), see `PostgresConnection.Configuration`;
    /// - `STORAGE_BACKEND` and its settings, see `StorageBackend.live`;
    /// - `GCS_BUCKET_PREFIX` (default `pacelane-whatsapp`);
    /// - `PHONE_DEFAULT_REGION` (default `BR`);
    /// - `SUPABASE_JWT_SECRET` (secret) and/or `SUPABASE_JWKS_FILE`, see `Authenticator`.
    /// - `UB_IDENTITY_CACHE_ENTRIES` (262144; 0: off) and `UB_IDENTITY_CACHE_TTL_SECONDS` (300),
    ///   see `CachedUserDirectory`.
    /// - Parameters:
    ///   - authenticator: nil reads the JWT settings from `environment`; the CLI, which verifies
    ///     no tokens, passes `.refusingAll`.
    ///   - servingLoop: a FastCGI worker whose loop polls `watcher`: the identification cache
    ///     is on (a process without that loop would apply its invalidations late).
    package static func live(environment: Environment, authenticator: Authenticator? = nil, servingLoop: Bool = false) throws -> CoreServices {
        let connection = PostgresConnection(configuration: try .init(environment: environment))
        let storage = try StorageBackend.live(environment: environment)
        PhoneNormalizer.warmUp()
        var directory: any UserDirectory = PostgresUserDirectory(connection: connection)
        var watcher: (any DescriptorWatcher)?
        let entries = try environment.integer("UB_IDENTITY_CACHE_ENTRIES", default: 262_144)
        if servingLoop, entries > 0 {
            let cached = CachedUserDirectory(
                base: directory, connection: connection,
                cache: IdentityCache(capacity: entries, ttlSeconds: try environment.integer("UB_IDENTITY_CACHE_TTL_SECONDS", default: 300)))
            directory = cached
            watcher = cached
        }
        return CoreServices(
            normalizer: PhoneNormalizer(environment: environment), directory: directory,
            mappings: PostgresBucketMappingStore(connection: connection), locks: PostgresAdvisoryLocks(connection: connection),
            storage: storage, naming: try BucketNaming(environment: environment),
            authenticator: try authenticator ?? Authenticator(environment: environment),
            messages: PostgresChatwootMessageStore(connection: connection), knowledgeFiles: PostgresKnowledgeFileStore(connection: connection),
            jobs: PostgresJobQueue(connection: connection), audioRecords: PostgresAudioRecords(connection: connection),
            merges: PostgresContactMergeStore(connection: connection), watcher: watcher)
    }

    /// Everything in memory, for in-process tests of the handlers.
    package static func inMemory(
        directory: InMemoryUserDirectory, storage: any ObjectStorage = InMemoryObjectStorage(), authenticator: Authenticator,
        prefix: String = "pacelane-whatsapp"
    ) throws -> CoreServices {
        CoreServices(
            normalizer: PhoneNormalizer(), directory: directory, mappings: InMemoryBucketMappingStore(), locks: InMemoryExclusiveLocks(),
            storage: storage, naming: try BucketNaming(prefix: prefix), authenticator: authenticator, messages: InMemoryChatwootMessageStore(),
            knowledgeFiles: InMemoryKnowledgeFileStore(), jobs: InMemoryJobQueue(), audioRecords: InMemoryAudioRecords(),
            merges: InMemoryContactMergeStore())
    }
}
