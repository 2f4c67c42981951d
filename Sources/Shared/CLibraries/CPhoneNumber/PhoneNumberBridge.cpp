// A C face for the few libphonenumber calls we need, so Swift needs no C++ interop.
#include "CPhoneNumber.h"

#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/phonenumber.pb.h>
#include <cstring>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

void cpn_warm_up(void) {
    PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    util->Parse("+5511987654321", "BR", &number);
}

cpn_result cpn_parse(const char *input, const char *region) {
    cpn_result result;
    std::memset(&result, 0, sizeof(result));
    PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(input, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return result;
    }
    std::string formatted;
    util->Format(number, PhoneNumberUtil::E164, &formatted);
    if (formatted.size() >= sizeof(result.e164)) {
        return result;
    }
    result.parsed = 1;
    result.is_valid = util->IsValidNumber(number) ? 1 : 0;
    // Possible with its whole length: a number only dialable locally (7 digits in the US) is not.
    result.is_possible = util->IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE ? 1 : 0;
    result.country_code = number.country_code();
    result.number_type = static_cast<int>(util->GetNumberType(number));
    std::memcpy(result.e164, formatted.c_str(), formatted.size() + 1);
    return result;
}

int cpn_country_code_for_region(const char *region) {
    return PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region);
}
