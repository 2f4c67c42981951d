/// The test fixtures in `Tests/Fixtures` (Chatwoot, GCS, OpenAI and Supabase samples, keys, test
/// vectors), found from this file's own path so a test reads them from any working directory.
public enum Fixture {
    public static let root: String = {
        var path = #filePath
        // …/Tests/TestSupport/Fixture.swift → …/Tests/Fixtures
        for _ in 0..<2 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Fixtures"
    }()

    /// `Tests/Fixtures/<relative>`.
    public static func path(_ relative: String) -> String { root + "/" + relative }
}
