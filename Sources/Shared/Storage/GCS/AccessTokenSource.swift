/// Where GCS calls get their bearer token: the seam between the storage client and OAuth.
package protocol AccessTokenSource: AnyObject {
    /// A valid access token, fetched or from the cache.
    func accessToken() throws(StorageError) -> String

    /// Forgets the cached token: GCS answered 401 with it.
    func invalidate()
}

/// A fixed token, for tests and for tools that were handed one.
package final class StaticAccessTokenSource: AccessTokenSource {
    private let token: String

    package init(token: String) {
        self.token = token
    }

    package func accessToken() throws(StorageError) -> String { token }
    package func invalidate() {}
}
