#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What libphonenumber made of one input.
typedef struct {
    /// 1 when the input parsed at all; the other fields are meaningful only then.
    int parsed;
    int is_valid;
    int is_possible;
    int country_code;
    /// libphonenumber's PhoneNumberType (0 fixed line, 1 mobile, 2 fixed line or mobile, ...).
    int number_type;
    /// "+<digits>", NUL-terminated.
    char e164[32];
} cpn_result;

/// Loads libphonenumber's metadata (a few ms); call once per process before serving.
void cpn_warm_up(void);

/// Parses `number` as libphonenumber would with default `region` (ISO 3166 alpha-2).
cpn_result cpn_parse(const char *number, const char *region);

/// `input` (UTF-8, `length` bytes) in Unicode NFKC, written to `output`; returns the bytes
/// written, or 0 when the input is not UTF-8 or the result would exceed `capacity`.
size_t cpn_nfkc(const char *input, size_t length, char *output, size_t capacity);

/// The country calling code of a region ("BR" -> 55), 0 when unknown.
int cpn_country_code_for_region(const char *region);

#ifdef __cplusplus
}
#endif
#endif
