import Synchronization

/// Public keys from a JWKS URL (Supabase's `/auth/v1/.well-known/jwks.json`), cached.
///
/// The set is fetched on first use, kept for `maxAge` seconds, and fetched again early when a
/// token names a `kid` it does not hold (keys rotate) — at most once per `minRefetchInterval`,
/// so tokens with made-up key ids cannot turn into a flood of fetches. When a fetch fails, the
/// keys already held stay in use.
package final class RemoteJSONWebKeySet: Sendable {
    private struct State {
        var keys: [String: JSONWebKeySet.Key] = [:]
        var fetchedAt: Int?
        var lastAttempt: Int?
    }

    package let url: String
    private let maxAge: Int
    private let minRefetchInterval: Int
    private let client: Mutex<any HTTPClient>
    private let state = Mutex(State())

    package init(url: String, client: sending any HTTPClient = CurlHTTPClient(), maxAge: Int = 600, minRefetchInterval: Int = 30) {
        self.url = url
        self.client = Mutex(client)
        self.maxAge = maxAge
        self.minRefetchInterval = minRefetchInterval
    }

    /// The key with this id at time `now` (Unix seconds), fetching the set when needed.
    package func key(for kid: String, now: Int) -> JSONWebKeySet.Key? {
        let (cached, fresh, mayFetch) = state.withLock { state in
            let fresh = state.fetchedAt.map { now - $0 < maxAge } ?? false
            let mayFetch = state.lastAttempt.map { now - $0 >= minRefetchInterval } ?? true
            return (state.keys[kid], fresh, mayFetch)
        }
        if let cached, fresh { return cached }
        guard mayFetch else { return cached }
        refresh(now: now)
        return state.withLock { $0.keys[kid] }
    }

    private func refresh(now: Int) {
        state.withLock { $0.lastAttempt = now }
        let fetched: [String: JSONWebKeySet.Key]? = client.withLock { client in
            guard let response = try? client.send(HTTPClientRequest(url: url, headers: [("Accept", "application/json")])),
                response.status == 200,
                let json = try? JSONParser.parse(response.body),
                let set = try? JSONWebKeySet(json: json)
            else { return nil }
            return set.keys
        }
        guard let fetched else { return }
        state.withLock { state in
            state.keys = fetched
            state.fetchedAt = now
        }
    }
}
