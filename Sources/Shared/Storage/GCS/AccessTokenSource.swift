/// Where GCS calls get their bearer token: the seam between the storage client and OAuth.
public protocol AccessTokenSource: AnyObject {
    /// A valid access token, fetched or from the cache.
    func accessToken() throws(StorageError) -> String

    /// Forgets the cached token: GCS answered 401 with it.
    func invalidate()
}

/// A fixed token, for tests and for tools that were handed one.
public final class StaticAccessTokenSource: AccessTokenSource {
    private let token: String

    public init(token: String) {
        self.token = token
    }

    public func accessToken() throws(StorageError) -> String { token }
    public func invalidate() {}
}
