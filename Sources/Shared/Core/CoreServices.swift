/// The pieces every function is built from, wired once per serving thread.
public struct CoreServices {
    public let connection: PostgresConnection?
    public let normalizer: PhoneNormalizer
    public let directory: any UserDirectory
    public let identifier: UserIdentifier
    public let mappings: any BucketMappingStore
    public let provisioner: BucketProvisioner
    public let storage: any ObjectStorage
    public let authenticator: Authenticator

    public init(
        connection: PostgresConnection?, normalizer: PhoneNormalizer, directory: any UserDirectory,
        mappings: any BucketMappingStore, storage: any ObjectStorage, naming: BucketNaming, authenticator: Authenticator
    ) {
        self.connection = connection
        self.normalizer = normalizer
        self.directory = directory
        self.identifier = UserIdentifier(directory: directory)
        self.mappings = mappings
        self.provisioner = BucketProvisioner(naming: naming, storage: storage, mappings: mappings)
        self.storage = storage
        self.authenticator = authenticator
    }

    /// Built from the environment:
    /// - `DATABASE_URL` (secret; required), see `PostgresConnection.Configuration`;
    /// - `STORAGE_BACKEND` and its settings, see `StorageBackend.live`;
    /// - `GCS_BUCKET_PREFIX` (default `pacelane-whatsapp`);
    /// - `PHONE_DEFAULT_REGION` (default `BR`);
    /// - `SUPABASE_JWT_SECRET` (secret) and/or `SUPABASE_JWKS_FILE`, see `Authenticator`.
    /// - Parameter authenticator: nil reads the JWT settings from `environment`; the CLI, which
    ///   verifies no tokens, passes `.refusingAll`.
    public static func live(environment: Environment, authenticator: Authenticator? = nil) throws -> CoreServices {
        let connection = PostgresConnection(configuration: try .init(environment: environment))
        let storage = try StorageBackend.live(environment: environment)
        PhoneNormalizer.warmUp()
        return CoreServices(
            connection: connection, normalizer: PhoneNormalizer(environment: environment),
            directory: PostgresUserDirectory(connection: connection), mappings: PostgresBucketMappingStore(connection: connection),
            storage: storage, naming: try BucketNaming(environment: environment),
            authenticator: try authenticator ?? Authenticator(environment: environment))
    }
}
