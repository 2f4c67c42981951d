/// A Google service account: who we are to GCS and the key we sign with.
package struct GCSCredentials: Sendable {
    package let projectID: String
    package let clientEmail: String
    /// The key's id, sent as the JWT's `kid` so Google finds the key at once.
    package let privateKeyID: String?
    package let privateKey: PrivateKey
    /// Where the signed JWT is exchanged for an access token.
    package let tokenURL: String

    package static let defaultTokenURL = "https://oauth2.googleapis.com/token"

    package init(projectID: String, clientEmail: String, privateKeyID: String?, privateKey: PrivateKey, tokenURL: String = defaultTokenURL) {
        self.projectID = projectID
        self.clientEmail = clientEmail
        self.privateKeyID = privateKeyID
        self.privateKey = privateKey
        self.tokenURL = tokenURL
    }

    /// From a service-account JSON key file (what the Cloud console downloads).
    package init(keyFile json: JSON, tokenURL: String? = nil) throws(Environment.Error) {
        func field(_ name: String) throws(Environment.Error) -> String {
            guard let value = json[name]?.stringValue, !value.isEmpty else {
                throw Environment.Error(variable: "GOOGLE_APPLICATION_CREDENTIALS", reason: "the key file has no \(name)")
            }
            return value
        }
        guard json["type"]?.stringValue == "service_account" else {
            throw Environment.Error(variable: "GOOGLE_APPLICATION_CREDENTIALS", reason: "is not a service-account key file")
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: try field("private_key"))
        } catch let error as Environment.Error {
            throw error
        } catch {
            throw Environment.Error(variable: "GOOGLE_APPLICATION_CREDENTIALS", reason: "private_key does not load: \(error)")
        }
        self.init(
            projectID: try field("project_id"), clientEmail: try field("client_email"), privateKeyID: json["private_key_id"]?.stringValue,
            privateKey: key, tokenURL: tokenURL ?? json["token_uri"]?.stringValue ?? Self.defaultTokenURL)
    }

    /// Reads the original variables `GCS_PROJECT_ID`, `GCS_CLIENT_EMAIL`, `GCS_PRIVATE_KEY` (PEM,
    /// PKCS#8 or PKCS#1; literal `\n` allowed) and `GCS_PRIVATE_KEY_ID`, or else the key file at
    /// `GOOGLE_APPLICATION_CREDENTIALS` (`GCS_PROJECT_ID` overrides its project).
    /// `GCS_TOKEN_URL` overrides the token endpoint.
    package init(environment: Environment) throws(Environment.Error) {
        let tokenURL = environment.get("GCS_TOKEN_URL")
        if let pem = environment.get("GCS_PRIVATE_KEY") {
            let key: PrivateKey
            do {
                key = try PrivateKey(pem: pem)
            } catch {
                throw Environment.Error(variable: "GCS_PRIVATE_KEY", reason: "does not load as a PEM RSA key: \(error.message)")
            }
            self.init(
                projectID: try environment.require("GCS_PROJECT_ID"), clientEmail: try environment.require("GCS_CLIENT_EMAIL"),
                privateKeyID: environment.get("GCS_PRIVATE_KEY_ID"), privateKey: key, tokenURL: tokenURL ?? Self.defaultTokenURL)
            return
        }
        guard let path = environment.get("GOOGLE_APPLICATION_CREDENTIALS") else {
            throw Environment.Error(variable: "GCS_PRIVATE_KEY", reason: "is not set (nor GOOGLE_APPLICATION_CREDENTIALS)")
        }
        let json: JSON
        do {
            json = try JSONParser.parse(try FileIO.read(path: path))
        } catch {
            throw Environment.Error(variable: "GOOGLE_APPLICATION_CREDENTIALS", reason: "cannot read \(path): \(error)")
        }
        let file = try GCSCredentials(keyFile: json, tokenURL: tokenURL)
        self.init(
            projectID: environment.get("GCS_PROJECT_ID") ?? file.projectID, clientEmail: file.clientEmail,
            privateKeyID: file.privateKeyID, privateKey: file.privateKey, tokenURL: file.tokenURL)
    }
}
