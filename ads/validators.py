"""Field-level rules of the ads app's data (the model fields use them; forms and services too)."""

import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator


def normalize_digits(value):
    """全角数字・ハイフン・空白を取り除いた半角の文字列（「１２３４-５６」→「123456」）."""
    return re.sub(r"[\s\-‐－ー―]", "", unicodedata.normalize("NFKC", value or ""))


def corporate_number_check_digit(base12):
    """
    The check digit of a corporate number (法人番号) from its 12-digit base (国税庁の定める計算式):
    9 − (Σ Pn × Qn mod 9), Pn the n-th digit from the right, Qn 1 for odd n and 2 for even n.
    """
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def validate_corporate_number(value):
    digits = normalize_digits(value)
    if not re.fullmatch(r"\d{13}", digits):
        raise ValidationError("法人番号は13桁の数字で入力してください。", code="corporate_number_format")
    if int(digits[0]) != corporate_number_check_digit(digits[1:]):
        raise ValidationError("法人番号が正しくありません（チェックデジットが一致しません）。",
                              code="corporate_number_check_digit")


def validate_phone(value):
    digits = normalize_digits(value)
    if not re.fullmatch(r"\+?\d{10,15}", digits):
        raise ValidationError("電話番号は10〜15桁の数字で入力してください（例: 03-1234-5678）。", code="phone_format")


_url = URLValidator(schemes=["http", "https"])


def validate_destination_url(value):
    """An absolute http(s) URL: never ``javascript:``, ``data:`` or any other scheme, never relative."""
    text = (value or "").strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError("リンク先は http:// または https:// で始まる URL にしてください"
                              "（javascript: や data: などは使えません）。", code="destination_scheme")
    try:
        _url(text)
    except ValidationError:
        raise ValidationError("リンク先の URL が正しくありません。", code="destination_invalid") from None
