import ArgumentParser
import Shared

/// `userbuckets dev`: what a newcomer needs against the local stack — keys and users with
/// tokens signed with the local JWT secret.
struct DevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Local development: the API keys of this stack and demo users with tokens.",
        subcommands: [DevKeysCommand.self, DevUserCommand.self])
}

/// HS256 tokens shaped like Supabase's, signed with `SUPABASE_JWT_SECRET`.
enum LocalToken {
    static func sign(_ claims: JSON, secret: String) -> String {
        let head = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let body = Base64URL.encode(claims.serializedBytes())
        let signature = Digest.hmacSHA256(key: Array(secret.utf8), message: Array("\(head).\(body)".utf8))
        return "\(head).\(body).\(Base64URL.encode(signature))"
    }

    /// A role's key (`anon`, `service_role`), as Supabase's legacy keys are: valid ten years.
    static func key(role: String, secret: String, now: Int) -> String {
        sign(
            .object(["iss": .string("supabase"), "role": .string(role), "iat": .integer(now), "exp": .integer(now + 10 * 365 * 86_400)]),
            secret: secret)
    }

    static func secret(_ environment: Environment) throws -> String {
        guard let secret = environment.get("SUPABASE_JWT_SECRET") else {
            throw ValidationError("SUPABASE_JWT_SECRET is not set (run scripts/run.sh first, or pass --env-file)")
        }
        return secret
    }
}

/// `userbuckets dev keys`: the anon and service-role keys of this stack's JWT secret.
struct DevKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Print the anon and service-role keys for SUPABASE_JWT_SECRET.")

    @Flag(help: "JSON output.") var json = false

    func run() throws {
        let secret = try LocalToken.secret(Environment.process())
        let now = UnixTime.now()
        let anon = LocalToken.key(role: "anon", secret: secret, now: now)
        let service = LocalToken.key(role: "service_role", secret: secret, now: now)
        if json {
            print(JSON.object(["anonKey": .string(anon), "serviceRoleKey": .string(service)]).serialized())
        } else {
            print("anon key          \(anon)\nservice-role key  \(service)")
        }
    }
}

/// `userbuckets dev user`: a new user (auth.users and a profile) and a session token for them.
struct DevUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create a user with a profile and print a token signed with the local secret.",
        discussion: "Refuses a database that is not on this machine unless --allow-remote: it writes users.")

    @Option(help: "An existing (or new) user's id: a token for them, the rows made only if missing.") var id: String?
    @Option(help: "The profile's WhatsApp number.") var whatsapp: String?
    @Option(help: "The e-mail of auth.users.") var email: String?
    @Option(help: "The token's lifetime in seconds.") var expiresIn = 30 * 86_400
    @Flag(help: "Run against a database that is not local.") var allowRemote = false
    @Flag(help: "JSON output.") var json = false

    static let insertUser = PreparedStatement("INSERT INTO auth.users (id, email) VALUES ($1::uuid, $2) ON CONFLICT (id) DO NOTHING")
    static let insertProfile = PreparedStatement(
        """
        INSERT INTO public.profiles (id, user_id, whatsapp_number) SELECT gen_random_uuid(), $1::uuid, $2
        WHERE NOT EXISTS (SELECT 1 FROM public.profiles WHERE user_id = $1::uuid)
        """)

    func run() throws {
        let environment = Environment.process()
        let url = try environment.require("DATABASE_URL")
        guard allowRemote || Self.isLocal(url) else {
            throw ValidationError("DATABASE_URL is not on this machine: pass --allow-remote to create a user there")
        }
        let secret = try LocalToken.secret(environment)
        let connection = PostgresConnection(configuration: try .init(environment: environment))
        guard let id = id.map({ UserID($0) }) ?? Self.newUserID() else { throw ValidationError("--id must be a UUID") }
        try connection.transaction {
            try connection.execute(Self.insertUser, [id, email])
            try connection.execute(Self.insertProfile, [id, whatsapp])
        }
        let now = UnixTime.now()
        let token = LocalToken.sign(
            .object([
                "sub": .string(id.value), "aud": .string("authenticated"), "role": .string("authenticated"), "iat": .integer(now),
                "exp": .integer(now + expiresIn), "email": email.map(JSON.string) ?? .null,
            ]), secret: secret)
        if json {
            print(JSON.object(["userId": .string(id.value), "token": .string(token)]).serialized())
        } else {
            print("user   \(id.value)\ntoken  \(token)")
        }
    }

    /// A random (version 4) UUID.
    static func newUserID() -> UserID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Digest.hex(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return UserID(parts.joined(separator: "-"))!
    }

    /// A unix socket, or a loopback host.
    static func isLocal(_ url: String) -> Bool {
        let lowered = url.lowercased()
        if let range = lowered.firstRange(of: "host=") {
            let host = lowered[range.upperBound...].prefix { $0 != "&" && $0 != " " }
            return host.hasPrefix("/") || ["localhost", "127.0.0.1", "::1", "[::1]"].contains(String(host))
        }
        guard let scheme = lowered.firstRange(of: "://") else { return true }  // key=value without host: the socket
        var authority = lowered[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" } + "]") : String(authority.prefix { $0 != ":" })
        return host.isEmpty || ["localhost", "127.0.0.1", "[::1]"].contains(host)
    }
}
