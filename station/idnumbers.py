"""Chinese resident ID numbers (GB 11643-1999): validation, masking and a keyed hash."""

import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_id_number(value: str, birth_date: date | None = None) -> str:
    """Return the normalized number or raise ValidationError with a reason a worker understands."""
    number = normalize(value)
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."))
    try:
        born = birth_date_of(number)
    except ValueError:
        raise ValidationError(_("The birth date inside the ID number is not a real date.")) from None
    if born.year < 1900 or born > timezone.localdate():
        raise ValidationError(_("The birth date inside the ID number is not possible."))
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The ID number's check digit is wrong; please check for a mistyped digit."))
    if birth_date and birth_date != born:
        raise ValidationError(
            _("The birth date does not match the one in the ID number (%(born)s).") % {"born": born}
        )
    return number


def mask(number: str) -> str:
    number = normalize(number)
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def keyed_hash(number: str) -> str:
    """HMAC of the normalized number: exact lookup and duplicate detection without decrypting."""
    number = normalize(number)
    if not number:
        return ""
    key = ("id-hash:" + settings.FIELD_ENCRYPTION_KEY).encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def make_id_number(region: str, born: date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
