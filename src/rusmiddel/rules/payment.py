"""Self-payment (egenbetaling) for the stay part of residential treatment.

SEL § 101 residential treatment is a temporary stay (§ 107, stk. 2, nr. 2). Residents who keep
paying rent for their own home pay no stay part (SEL § 163, stk. 2), only food and laundry, as
both seeds' rule says. Payment comes from income and may never leave the resident with less
than the municipality's minimum amount at their disposal (rådighedsbeløb; bekendtgørelse nr.
1387 af 12. december 2006 §§ 1–3). The rates are parameters of the standard file.

A rule with `basis: income` sets the stay part from the resident's income (the seeds'
"indkomstgrundlag"): `income_share` of what the monthly income leaves above the
rådighedsbeløb, spread over 30 days a month, and never more a day than the stay part's rate
(its cost). Food and laundry keep their rates; the income is then required, unless the
resident keeps paying rent (no stay part).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rusmiddel.standards.schema import SelfPayment

from .errors import InputError

#: Days a month counts for laundry: each started period of 30 days is one month.
DAYS_PER_MONTH = 30


@dataclass(frozen=True, slots=True)
class PaymentLine:
    item: str  # stay | food | laundry
    text: str  # Danish, as in the letter
    quantity: int
    unit_dkk: Decimal
    amount_dkk: Decimal


@dataclass(frozen=True, slots=True)
class SelfPaymentCalculation:
    rule_id: str
    days: int
    keeps_rent: bool
    lines: tuple[PaymentLine, ...]
    before_cap_dkk: Decimal
    cap_dkk: Decimal | None  # what income leaves above the rådighedsbeløb (None: no income given)
    total_dkk: Decimal
    amounts_are_examples: bool

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "days": self.days,
            "keeps_rent": self.keeps_rent,
            "lines": [
                {
                    "item": line.item,
                    "text": line.text,
                    "quantity": line.quantity,
                    "unit_dkk": str(line.unit_dkk),
                    "amount_dkk": str(line.amount_dkk),
                }
                for line in self.lines
            ],
            "before_cap_dkk": str(self.before_cap_dkk),
            "cap_dkk": None if self.cap_dkk is None else str(self.cap_dkk),
            "total_dkk": str(self.total_dkk),
            "amounts_are_examples": self.amounts_are_examples,
        }


def _kr(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def self_payment(
    rule: SelfPayment,
    *,
    days: int,
    keeps_rent: bool,
    monthly_income_dkk: Decimal | None = None,
) -> SelfPaymentCalculation:
    """The resident's payment for a stay of `days` days under the standard's rule."""
    if days < 1:
        raise InputError(f"days: a stay lasts at least one day, got {days}")
    if monthly_income_dkk is not None and monthly_income_dkk < 0:
        raise InputError(f"monthly_income_dkk: must not be negative, got {monthly_income_dkk}")
    if rule.basis == "income" and not keeps_rent and monthly_income_dkk is None:
        raise InputError(
            "monthly_income_dkk: required, the stay part is set from the resident's income"
        )
    months = math.ceil(days / DAYS_PER_MONTH)
    stay: tuple[str, int, float | Decimal] = ("Ophold", days, rule.stay_per_day_dkk)
    if rule.basis == "income" and monthly_income_dkk is not None:
        spare = max(
            Decimal("0"), _kr(monthly_income_dkk) - _kr(rule.minimum_disposable_per_month_dkk)
        )
        from_income = spare * Decimal(str(rule.income_share)) / DAYS_PER_MONTH
        stay = ("Ophold (efter indkomst)", days, min(_kr(rule.stay_per_day_dkk), _kr(from_income)))
    items = {
        "stay": stay,
        "food": ("Kost", days, rule.food_per_day_dkk),
        "laundry": ("Vask", months, rule.laundry_per_month_dkk),
    }
    charged = set(rule.keeps_rent_pays_only) if keeps_rent else set(items)
    lines = tuple(
        PaymentLine(item, text, qty, _kr(unit), _kr(unit) * qty)
        for item, (text, qty, unit) in items.items()
        if item in charged
    )
    before = sum((line.amount_dkk for line in lines), Decimal("0.00"))
    cap = None
    if monthly_income_dkk is not None:
        spare = _kr(monthly_income_dkk) - _kr(rule.minimum_disposable_per_month_dkk)
        cap = max(Decimal("0.00"), spare) * months
    total = before if cap is None else min(before, cap)
    return SelfPaymentCalculation(
        rule.id, days, keeps_rent, lines, before, cap, total, rule.amounts_are_examples
    )
