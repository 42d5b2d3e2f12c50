"""A recipient's phone number and e-mail address: validated, normalised, or why not.

The reasons never quote the value: a recipients file may be any file in the runbook's
tree (a `.env`), and `validate`'s output lands in CI logs. The message's line and
column say where the value is.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from gonogo.runbook.diagnostics import Severity

# What people write around a number in international form. Anything else phonenumbers
# would silently convert or drop: letters ("+46 70 174 06 0A" parses), extensions.
_PHONE_CHARS = frozenset("0123456789 -().")
_SMS_CAPABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_IMPOSSIBLE_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length",
}


def check_phone(raw: str) -> tuple[str | None, list[tuple[Severity, str]]]:
    """The number in E.164 (None if empty or unusable) and what is wrong with it."""
    if not raw:
        return None, []
    why = None
    kind = phonenumbers.PhoneNumberType.UNKNOWN
    if not raw.startswith("+"):
        why = "must be in international form, + and country code, e.g. +46701740605"
    elif any(c not in _PHONE_CHARS for c in raw[1:]):
        why = "contains a character other than digits: write digits only, e.g. +46701740605"
    else:
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException as exc:
            why = (
                f"is not a valid number: {_PARSE_REASONS.get(exc.error_type, 'not a phone number')}"
            )
        else:
            reason = phonenumbers.is_possible_number_with_reason(number)
            if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
                why = f"is not a valid number: {_IMPOSSIBLE_REASONS.get(reason, 'wrong length')}"
            # A number is valid exactly when it has a type (what `is_valid_number` checks):
            # the type is found once, not twice.
            elif (kind := phonenumbers.number_type(number)) == phonenumbers.PhoneNumberType.UNKNOWN:
                why = f"is not a valid number: no +{number.country_code} number has that form"
    if why is not None:
        return None, [("error", f"phone number {why}")]
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind in _SMS_CAPABLE:
        return e164, []
    kind_name = phonenumbers.PhoneNumberType.to_string(kind).lower().replace("_", " ")
    return e164, [
        ("warning", f"phone number is not a mobile number ({kind_name}): SMS may not arrive")
    ]


def check_email(raw: str) -> tuple[str | None, str | None]:
    """The normalised address (None if empty or invalid) and why it is invalid."""
    if not raw:
        return None, None
    try:
        validated = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, f"invalid e-mail address: {_unquoting(str(exc), raw)}"
    normalized: str = validated.normalized
    return normalized, None


def _unquoting(reason: str, raw: str) -> str:
    """email-validator's reason, unless it quotes any of the address (a domain name, a
    character): then only that the address is not valid."""
    lowered = reason.lower()
    windows = {raw[i : i + 4].lower() for i in range(max(len(raw) - 3, 1))}
    if "'" in reason or '"' in reason or any(w in lowered for w in windows):
        return "not a valid address (the reason would quote it)"
    return reason
