import Shared
import TestSupport

extension Fixture {
    static func json(_ relative: String) throws -> JSON {
        try JSONParser.parse(try bytes(relative))
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        try FileIO.read(path: path(relative))
    }
}
