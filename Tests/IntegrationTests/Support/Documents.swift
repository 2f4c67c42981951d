import Foundation
import Shared
import TestSupport

/// The extraction fixtures (`Tests/Fixtures/documents/make_documents.py`): real documents with
/// known text and the hostile ones, written once per run into a temporary folder.
enum Documents {
    static let folder: String = {
        let folder = NSTemporaryDirectory() + "ub-documents-\(getpid())"
        let script = Fixture.path("documents/make_documents.py")
        let made = try? Stack.shared.shell("python3 '\(script)' '\(folder)' && echo made").output
        precondition(made?.contains("made") == true, "make_documents.py failed")
        return folder
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        try FileIO.read(path: folder + "/" + name)
    }
}
