// Unicode NFKC through ICU (the library libphonenumber itself is built on), for the phone
// normalizer's non-ASCII path: fullwidth digits and signs, compatibility spaces and the like
// become their plain forms.
#include "CPhoneNumber.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <cstring>
#include <string>

size_t cpn_nfkc(const char *input, size_t length, char *output, size_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) {
        return 0;
    }
    std::string result;
    icu::StringByteSink<std::string> sink(&result);
    nfkc->normalizeUTF8(0, icu::StringPiece(input, static_cast<int32_t>(length)), sink, nullptr, status);
    if (U_FAILURE(status) || result.size() > capacity) {
        return 0;
    }
    std::memcpy(output, result.data(), result.size());
    return result.size();
}
