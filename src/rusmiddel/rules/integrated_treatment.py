"""Integrated treatment in the regional psychiatry (sundhedslovens § 82 c, lov L 126 (2023-24),
from 1 September 2024): a citizen with a severe mental illness and a substance problem at the
same time is treated for both by the region, which starts treatment within 14 days of receiving
the referral. SUL §§ 141 and 142 do not apply to people referred to or admitted to integrated
treatment, so the municipality's treatment guarantees resting on them end when the region has
received the citizen. The social treatment (SEL § 101, and barnets lov § 33 under 18) stays the
municipality's, coordinated with the region: a guarantee that also rests on it stays.
"""

from __future__ import annotations

import datetime as dt
import re

from .calendar import add_days

#: The day SUL § 82 c came into force (lov L 126 (2023-24)).
IN_FORCE = dt.date(2024, 9, 1)
#: The region starts the treatment at most this many days after receiving the referral.
START_DAYS = 14

# the citations a guarantee's basis is written with in the standards: "SUL § 141, stk. 2",
# "SUL § 142", "SUL § 141, stk. 2 og § 142", "sundhedslovens § 142" …
_HEALTH_ACT = re.compile(r"\b(SUL|sundhedslovens?)\s+§§?\s*14[12]\b", re.IGNORECASE)
_SOCIAL = re.compile(r"\b(SEL|servicelovens?)\s+§§?\s*101\b|\bbarnets\s+lov\b", re.IGNORECASE)


def start_by(referral_received: dt.date) -> dt.date:
    """The last day the region may start the integrated treatment: 14 days after it received
    the referral (a maximum, like the municipal guarantee; not moved off holidays)."""
    return add_days(referral_received, START_DAYS)


def guarantee_ends(basis: str) -> bool:
    """Whether a treatment guarantee with this basis (a contact's `guarantee_basis`) ends when
    the region receives the citizen: it rests on SUL § 141 or § 142 and on nothing else (not
    also on SEL § 101 or barnets lov § 33, whose social treatment stays the municipality's)."""
    text = " ".join(basis.split())
    return bool(_HEALTH_ACT.search(text)) and not _SOCIAL.search(text)
