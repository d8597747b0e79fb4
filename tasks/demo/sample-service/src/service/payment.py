"""Payments: fees, card checks, currency conversion, splitting and refunds."""
from __future__ import annotations

SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "JPY")
RATES_TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}
FEE_RATES = {"card": 0.029, "paypal": 0.034, "bank_transfer": 0.005}
FIXED_FEES = {"card": 0.30, "paypal": 0.49, "bank_transfer": 0.0}
MAX_BANK_FEE = 5.0


class PaymentError(ValueError):
    """A payment operation is not possible."""


def calculate_fee(amount: float, method: str = "card") -> float:
    """The processing fee for a payment of `amount` by `method`, rounded to cents."""
    if amount < 0:
        raise PaymentError("amount must not be negative")
    if method not in FEE_RATES:
        raise PaymentError(f"unsupported payment method: {method}")
    if amount == 0:
        return 0.0
    fee = amount * FEE_RATES[method] + FIXED_FEES[method]
    if method == "bank_transfer":
        fee = min(fee, MAX_BANK_FEE)
    return round(fee, 2)


def is_valid_card_number(number: str) -> bool:
    """Luhn check of a card number; spaces and dashes are ignored."""
    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_card_number(number: str) -> str:
    """Hides all but the last four digits."""
    digits = number.replace(" ", "").replace("-", "")
    if len(digits) < 4:
        raise PaymentError("card number too short")
    return "*" * (len(digits) - 4) + digits[-4:]


def convert(amount: float, from_currency: str, to_currency: str) -> float:
    """Converts between supported currencies; JPY has no minor unit."""
    for currency in (from_currency, to_currency):
        if currency not in RATES_TO_USD:
            raise PaymentError(f"unsupported currency: {currency}")
    usd = amount * RATES_TO_USD[from_currency]
    result = usd / RATES_TO_USD[to_currency]
    return round(result, 0 if to_currency == "JPY" else 2)


def split_amount(total_cents: int, parts: int) -> list[int]:
    """Splits an amount in cents into `parts` shares that differ by at most one cent."""
    if parts <= 0:
        raise PaymentError("parts must be positive")
    if total_cents < 0:
        raise PaymentError("total must not be negative")
    base, rest = divmod(total_cents, parts)
    return [base + 1 if i < rest else base for i in range(parts)]


def refundable_amount(
    paid: float, already_refunded: float, fee: float, refund_fee: bool = False
) -> float:
    """What can still be refunded; the fee is kept unless `refund_fee`."""
    if already_refunded > paid:
        raise PaymentError("refunded more than was paid")
    remaining = paid - already_refunded
    if not refund_fee:
        remaining -= fee
    return round(max(remaining, 0.0), 2)
