// libFuzzer entry point for the phone normalizer (built by scripts/fuzz.sh, not by SwiftPM): any
// input is a number or not without a crash, an answer is E.164, and normalizing the answer again
// gives the same answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPhone(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let number = normalizer.normalize(input) else { return 0 }
    precondition(number.e164.hasPrefix("+"), "E.164 without its +")
    precondition(number.e164.utf8.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "E.164 with a non-digit")
    precondition(normalizer.normalize(number.e164)?.e164 == number.e164, "normalizing the answer again changed it")
    precondition(number.variants.contains(number.e164), "the variants leave out the number itself")
    _ = number.masked
    _ = number.lookupKey
    return 0
}

let normalizer = PhoneNormalizer(defaultRegion: "BR")
