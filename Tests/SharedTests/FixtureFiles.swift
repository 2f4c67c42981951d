import Shared

/// Fixture files: the shared ones beside the repository, and this target's own.
enum FixtureFiles {
    /// `../shared/fixtures` from the package root, or `UB_FIXTURES`.
    static var sharedRoot: String {
        Environment.process().get("UB_FIXTURES", default: "../shared/fixtures")
    }

    static func shared(_ path: String) throws -> JSON {
        try JSONParser.parse(try FileIO.read(path: sharedRoot + "/" + path))
    }

    static func local(_ name: String) throws -> JSON {
        try JSONParser.parse(try FileIO.read(path: "Tests/SharedTests/Fixtures/" + name))
    }
}
