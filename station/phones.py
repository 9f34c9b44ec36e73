"""Phone numbers, one way everywhere: people, volunteers' sign-in and every import normalise and check here.

Normalising turns full-width digits into ASCII (NFKC), drops spaces (zero-width ones too), dashes, dots and
brackets, and a leading +86 or 0086. What is left must be a mainland mobile number (11 digits from 1[3-9])
or a landline with its area code (0 + 9 to 11 digits). Anything else (letters of any script, markup) is
refused, so two accounts can never differ only by a character nobody can see.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DROPPED = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\-–—.()（）]")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")


def normalise_phone(text) -> str:
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = _DROPPED.sub("", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) - len(prefix) == 11:
            value = value[len(prefix) :]
    return value


def validate_phone(text) -> str:
    """The normalised number, or a ValidationError saying what a number looks like."""
    value = normalise_phone(text)
    if value.isascii() and (MOBILE.match(value) or LANDLINE.match(value)):
        return value
    raise ValidationError(
        _("Enter a mobile number of 11 digits (e.g. 13800138000) or a landline with its area code."),
        code="phone",
    )
