"""Validators for Dutch identifiers, each with a message a person understands."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.nl import btw

KVK_RE = re.compile(r"^\d{8}$")
OIN_RE = re.compile(r"^\d{20}$")


def normalise_digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_kvk(value: str) -> None:
    if not KVK_RE.match(value or ""):
        raise ValidationError(
            _("A KvK number has exactly 8 digits (for example 17278718)."),
            code="kvk",
        )


def validate_oin(value: str) -> None:
    if not OIN_RE.match(value or ""):
        raise ValidationError(
            _("An OIN has exactly 20 digits (for example 00000001001234567000)."),
            code="oin",
        )


def validate_vat_number(value: str) -> None:
    if not btw.is_valid(value or ""):
        raise ValidationError(
            _("This is not a valid Dutch VAT number (format NL123456789B01)."),
            code="vat",
        )


def validate_iban(value: str) -> None:
    try:
        IBAN(value or "")
    except SchwiftyException:
        raise ValidationError(
            _("This is not a valid IBAN (check the digits, e.g. NL91ABNA0417164300)."),
            code="iban",
        ) from None


RELEASE_DAY_CHOICES = [Decimal(n) / 2 for n in range(1, 7)]  # 0.5 … 3.0


def validate_release_days(value: Decimal) -> None:
    if value not in RELEASE_DAY_CHOICES:
        raise ValidationError(
            _("Released days per week must be between 0.5 and 3, in steps of 0.5."),
            code="release_days",
        )
