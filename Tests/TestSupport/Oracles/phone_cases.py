#!/usr/bin/env python3
"""Phone inputs as people type, paste and systems send them, with the answer they must get.

Numbers of every kind (Brazilian 9-digit mobiles, landlines, legacy 8-digit mobiles, and numbers
of other countries) are generated from libphonenumber's own metadata (Python `phonenumbers`): a
region's example number with its trailing digits redrawn, kept when libphonenumber calls it valid
and of the kind asked for. Each is dressed in the shapes of SPEC section 2 (international and
national formats, WhatsApp ids and JIDs, exit codes, trunk and carrier prefixes, `0xx`, Twilio and
tel: prefixes) and then in what a copy and paste brings along: Unicode dashes and spaces,
fullwidth digits and plus, invisible format characters.

The truth is libphonenumber's E.164 for the undressed number plus the 9th-digit rule: an 8-digit
Brazilian number beginning with 6-9 under a valid area code is the same person as its 9-prefixed
form, which is canonical; the matching set of either holds both forms.

Prints one JSON object per line: {"input", "e164", "variants", "kind", "shape"}; with
--not-phones, lines of inputs that are no phone number ({"input", "e164": null}).
Seeded: the same arguments print the same lines.
"""
import argparse
import json
import random
import sys

import phonenumbers
from phonenumbers import PhoneNumberType as T

AREA = "(?:[14689][1-9]|2[12478]|3[1-578]|5[13-5]|7[13-579])"
OTHER_REGIONS = ["US", "GB", "PT", "DE", "FR", "ES", "IT", "AR", "MX", "CO", "CL", "IN", "JP", "AU", "ZA", "NG", "PE", "UY"]
# Carrier codes Brazil's national prefix may carry (libphonenumber's national_prefix_for_parsing).
CARRIERS = ["12", "14", "15", "21", "23", "31", "41", "43"]

DASHES = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe58", "\ufe63", "\uff0d"]
SPACES = ["\u00a0", "\u2000", "\u2002", "\u2003", "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff"]
WRAPS = [("\u202a", "\u202c"), ("\u202d", "\u202c"), ("\u2066", "\u2069"), ("\u2068", "\u2069"), ("\u200e", "\u200e"),
         ("\u200f", ""), ("\ufeff", ""), ("\u200b", "\u200b"), ("\u2067", "\u2069"), ("\u202b", "\u202c")]


def is_area(ddd):
    import re
    return re.fullmatch(AREA, ddd) is not None


def valid_of_kind(number, kinds):
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in kinds


def redraw(rng, region, kinds):
    """A valid number of `kinds` in `region`: the example number with its tail redrawn."""
    example = phonenumbers.example_number_for_type(region, kinds[0])
    nsn = phonenumbers.national_significant_number(example)
    for _ in range(200):
        keep = rng.randint(1, min(3, len(nsn) - 4))
        candidate = nsn[:keep] + "".join(rng.choice("0123456789") for _ in nsn[keep:])
        number = phonenumbers.parse("+%d%s" % (example.country_code, candidate), None)
        if valid_of_kind(number, kinds):
            return number
    return example


def brazilian(rng, kind):
    """(nsn, canonical NSN, variants as NSNs) for a Brazilian number of `kind`."""
    while True:
        ddd = "%d%d" % (rng.randint(1, 9), rng.randint(1, 9))
        if not is_area(ddd):
            continue
        tail = "".join(rng.choice("0123456789") for _ in range(7))
        if kind == "mobile":
            nsn = ddd + "9" + rng.choice("0123456789") + tail
        elif kind == "landline":
            nsn = ddd + rng.choice("2345") + tail
        else:  # legacy 8-digit mobile
            nsn = ddd + rng.choice("6789") + tail
        modern = nsn if kind != "legacy" else ddd + "9" + nsn[2:]
        if kind != "landline":
            parsed = phonenumbers.parse("+55" + modern, None)
            if not valid_of_kind(parsed, [T.MOBILE, T.FIXED_LINE_OR_MOBILE]):
                continue
        else:
            if not valid_of_kind(phonenumbers.parse("+55" + nsn, None), [T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE]):
                continue
        return nsn


def truth_br(nsn):
    """Canonical E.164 and matching set of a Brazilian NSN, by the 9th-digit rule."""
    ddd, subscriber = nsn[:2], nsn[2:]
    if len(subscriber) == 8 and subscriber[0] in "6789" and is_area(ddd):
        return "+55" + ddd + "9" + subscriber, ["+55" + ddd + "9" + subscriber, "+55" + nsn]
    if len(subscriber) == 9 and subscriber[0] == "9" and subscriber[1] in "6789" and is_area(ddd):
        return "+55" + nsn, ["+55" + nsn, "+55" + ddd + subscriber[1:]]
    return "+55" + nsn, ["+55" + nsn]


def groups(rng, digits):
    """`digits` cut in 2-5 groups at random points."""
    cuts = sorted(rng.sample(range(1, len(digits)), min(len(digits) - 1, rng.randint(1, 4))))
    parts, last = [], 0
    for cut in cuts:
        parts.append(digits[last:cut])
        last = cut
    parts.append(digits[last:])
    return parts


def joined(rng, parts, separators):
    out = parts[0]
    for part in parts[1:]:
        out += rng.choice(separators) + part
    return out


def shapes(rng, number, br_nsn=None):
    """(shape name, text) for one number: every shape of SPEC section 2 that fits it."""
    cc = str(number.country_code)
    nsn = br_nsn or phonenumbers.national_significant_number(number)
    e164 = "+" + cc + nsn
    full = cc + nsn
    intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL) if not br_nsn else None
    out = [("e164", e164), ("whatsapp-id", full), ("jid", full + "@s.whatsapp.net"),
           ("jid-device", full + ":%d@s.whatsapp.net" % rng.randint(1, 40)), ("twilio", "whatsapp:" + e164),
           ("tel", "tel:+" + cc + "-" + "-".join(groups(rng, nsn))), ("exit-00", "00 " + cc + " " + " ".join(groups(rng, nsn))),
           ("exit-011", "011 " + cc + " " + " ".join(groups(rng, nsn))),
           ("plus-grouped", "+" + cc + " " + joined(rng, groups(rng, nsn), [" ", "-", ".", " - "])),
           ("plus-nbsp", "+" + cc + "\u00a0" + "\u00a0".join(groups(rng, nsn)))]
    if intl:
        out.append(("international", intl))
    if cc == "55":
        ddd, sub = nsn[:2], nsn[2:]
        out += [("national", "(%s) %s-%s" % (ddd, sub[:-4], sub[-4:])), ("national-digits", nsn), ("trunk", "0" + nsn),
                ("trunk-grouped", "0%s %s-%s" % (ddd, sub[:-4], sub[-4:])),
                ("carrier", "0 %s %s %s-%s" % (rng.choice(CARRIERS), ddd, sub[:-4], sub[-4:])),
                ("carrier-digits", "0" + rng.choice(CARRIERS) + nsn),
                ("carrier-dashes", "0-%s-%s-%s-%s" % (rng.choice(CARRIERS), ddd, sub[:-4], sub[-4:])),
                ("0xx", "(0xx%s) %s-%s" % (ddd, sub[:-4], sub[-4:])), ("0xx-plain", "0XX%s %s %s" % (ddd, sub[:-4], sub[-4:])),
                ("plus-parens", "+55 (%s) %s-%s" % (ddd, sub[:-4], sub[-4:])), ("dots", "+55.%s.%s.%s" % (ddd, sub[:-4], sub[-4:])),
                ("exit-00-compact", "0055" + nsn)]
    else:
        # A bare digit string is read as a Brazilian national number first; keep the international
        # reading only where no Brazilian one exists.
        if not phonenumbers.is_valid_number(phonenumbers.parse(full, "BR")) and not is_legacy_br(full):
            pass
        else:
            out = [shape for shape in out if shape[0] not in ("whatsapp-id",)]
    return out


def is_legacy_br(digits):
    body = digits[2:] if digits.startswith("55") and len(digits) == 12 else digits
    return len(body) == 10 and is_area(body[:2]) and body[2] in "6789"


FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
FULLWIDTH.update({"+": "\uff0b", "(": "\uff08", ")": "\uff09", "-": "\uff0d", " ": "\u3000", ".": "\uff0e", "/": "\uff0f"})


def pasted(rng, text):
    """`text` as a copy and paste may bring it: one to three of the typographic changes."""
    for change in rng.sample(["dash", "space", "fullwidth", "wrap", "inside", "digits"], rng.randint(1, 3)):
        if change == "dash":
            text = "".join(rng.choice(DASHES) if c == "-" else c for c in text)
            if "-" not in text and " " in text:
                text = text.replace(" ", rng.choice(DASHES), 1)
        elif change == "space":
            text = "".join(rng.choice(SPACES) if c == " " else c for c in text)
        elif change == "fullwidth":
            text = "".join(FULLWIDTH.get(c, c) if rng.random() < 0.8 else c for c in text)
        elif change == "wrap":
            left, right = rng.choice(WRAPS)
            text = left + text + right
        elif change == "inside":
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(INVISIBLE) + text[at:]
        elif change == "digits" and "@" not in text and ":" not in text:
            text = "".join(FULLWIDTH[c] if c in "0123456789" else c for c in text)
    return text


NOT_PHONES = ["", " ", "abc", "+", "00", "120363041234567890@g.us", "123456789012345@lid", "BR.1092837465", "12345",
              "55+11999999999", "+55 11 98765-4321 ext 2", "9999999999999999999", "5511987654321@example.com", "john",
              "\u200b", "\u2013\u2013", "\uff0b", "\u202a\u202c", "0xx", "(0xx11)", "x5511987654321", "55 11 9876x-4321",
              "+55 11 98765\u20134321 \u2013 ramal 2"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--numbers", type=int, default=300, help="numbers per kind")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    for text in NOT_PHONES:
        out.write(json.dumps({"input": text, "e164": None, "variants": [], "kind": "not_a_phone", "shape": "not-a-phone"}) + "\n")
    kinds = [("mobile", None), ("landline", None), ("legacy", None)] + [(region, region) for region in OTHER_REGIONS]
    for kind, region in kinds:
        count = args.numbers if region is None else max(20, args.numbers // 6)
        for _ in range(count):
            if region is None:
                nsn = brazilian(rng, kind)
                number = phonenumbers.parse("+55" + nsn, None)
                e164, variants = truth_br(nsn)
                cases = shapes(rng, number, br_nsn=nsn)
            else:
                number = redraw(rng, region, [rng.choice([T.MOBILE, T.FIXED_LINE])])
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                variants = [e164]
                cases = shapes(rng, number)
            for shape, text in cases:
                for dressed in (text, pasted(rng, text)):
                    record = {"input": dressed, "e164": e164, "variants": variants, "kind": kind,
                              "shape": shape if dressed == text else shape + "+pasted"}
                    out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
