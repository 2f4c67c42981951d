-- Phone keys by the same rules as the service's normalizer (Sources/Shared/Phone), so a number
-- stored in a profile in any shape people write is found by a WhatsApp id in any other:
--   * pasted text: NFKC (fullwidth digits and signs), other scripts' digits, every Unicode dash
--     and space as a separator, invisible format characters (zero-width, direction marks,
--     embeddings, isolates, BOM, soft hyphen) dropped;
--   * `0xx` (the printed carrier placeholder), the trunk 0 with a carrier code (the codes
--     libphonenumber strips: 12, 14, 15, 21, 22, 23, 25, 31, 41, 43, 55, 65, 99; also after 90),
--     `00` with a carrier code before the country code, `011`, JIDs (always international);
--   * the 9th-digit rule (BrazilianNinthDigit.swift): an 8-digit subscriber beginning 6-9 under a
--     valid area code and its 9-prefixed form share one key; a 9-digit mobile whose next digit is
--     0-5 keeps its 9 (its 8-digit "form" would be a landline, someone else).
-- The test suite checks this function against PhoneNumber.lookupKey on thousands of generated
-- inputs (Tests/IntegrationTests/PhoneKeyTests.swift).

-- One PL/pgSQL function (its regular expressions are compiled once per session; SQL functions
-- with sub-selects are not inlined and cost ~0.5 ms a call; this one costs ~20 µs).
CREATE OR REPLACE FUNCTION public.userbuckets_phone_key(raw text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    -- Area codes (DDD) libphonenumber accepts for Brazil; a Brazilian national number after one:
    -- a 9-digit mobile or an 8-digit number (landline 2-5, legacy mobile 6-9).
    national constant text := '^(?:[14689][1-9]|2[12478]|3[1-578]|5[13-5]|7[13-579])(?:9[0-9]{8}|[2-9][0-9]{7})$';
    t text := raw;
    d text;
    nsn text;
BEGIN
    IF t !~ '^[\x01-\x7f]*$' THEN
        -- Pasted text: NFKC, other scripts' digits, Unicode dashes and spaces as separators,
        -- invisible format characters dropped.
        t := translate(normalize(t, NFKC), '٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९', '012345678901234567890123456789');
        t := regexp_replace(t, '[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]', '', 'g');
        t := regexp_replace(t, '[\u058A\u05BE\u1400\u1806\u2010-\u2015\u2212\u2796\u2E17\u2E1A\u2E3A\u2E3B\u2E40\u301C\u3030\u30A0\uFE31\uFE32\uFE58\uFE63\uFF0D]', '-', 'g');
        t := regexp_replace(t, '[\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]', ' ', 'g');
    END IF;
    t := regexp_replace(lower(btrim(t)), '^(whatsapp|tel|wa):', '');
    IF strpos(t, '@') > 0 THEN
        -- A JID always carries its country code.
        d := '+' || regexp_replace(split_part(split_part(t, '@', 1), ':', 1), '[^0-9]', '', 'g');
    ELSE
        -- 0xx: the printed carrier placeholder after the trunk 0.
        d := regexp_replace(regexp_replace(t, '^([^0-9x]*0[^0-9x]*)xx', '\1'), '[^0-9+]|(?!^)[+]', '', 'g');
    END IF;

    IF d ~ '^[+]' THEN
        d := substr(d, 2);
    ELSIF d ~ '^00[1-9][0-9]55[0-9]{10,11}$' THEN
        d := substr(d, 5);  -- 00 + carrier code + 55
    ELSIF d ~ '^00' THEN
        d := substr(d, 3);
    ELSE
        -- National (default region BR): trunk 0 (or 90) with a carrier code libphonenumber strips,
        -- trunk 0, bare, 55 without a plus; then 011 (the NANP exit code); else a WhatsApp id.
        nsn := substring(d from '^(?:0|90)(?:1[245]|2[1-35]|31|4[13]|[56]5|99)([0-9]{10,11})$');
        IF nsn IS NULL OR nsn !~ national THEN
            nsn := substring(d from '^0?([0-9]{10,11})$');
        END IF;
        IF nsn IS NULL OR nsn !~ national THEN
            nsn := substring(d from '^55([0-9]{10,11})$');
        END IF;
        IF nsn IS NOT NULL AND nsn ~ national THEN
            d := '55' || nsn;
        ELSIF d ~ '^011[1-9]' THEN
            d := substr(d, 4);
        END IF;
    END IF;

    -- The 9th-digit rule: a mobile with a legacy form keys without its 9.
    IF d ~ '^55(?:[14689][1-9]|2[12478]|3[1-578]|5[13-5]|7[13-579])9[6-9][0-9]{7}$' THEN
        d := substr(d, 1, 4) || substr(d, 6);
    END IF;
    RETURN nullif(d, '');
END
$$;

-- The helper of migration 0003's definition is no longer used.
DROP FUNCTION IF EXISTS public.userbuckets_phone_dial_string(text);

-- The indexes hold keys computed by the old definition: build them again.
REINDEX INDEX public.idx_whatsapp_user_mapping_phone_key;
REINDEX INDEX public.idx_profiles_whatsapp_phone_key;
REINDEX INDEX public.idx_profiles_phone_phone_key;
