// libFuzzer entry point for the JSON parser and serializer (built by scripts/fuzz.sh, not by
// SwiftPM): any input parses or is refused without a crash, and what parses serializes to text
// that parses back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes, limits: .default) else { return 0 }
    guard let again = try? JSONParser.parse(value.serializedBytes(), limits: .default) else {
        fatalError("serialized JSON does not parse")
    }
    precondition(again == value, "the round trip changed the value")
    return 0
}
