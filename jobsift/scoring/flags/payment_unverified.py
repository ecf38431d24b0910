"""``payment_unverified``: the client's payment method is known to be unverified (never guessed)."""

from __future__ import annotations

from jobsift.model import Reason
from jobsift.scoring.flags import CAUTION, F, Flag, ModelView, Outcome, QualityTerm

CODE = "payment_unverified"
QUALITY_WEIGHT = 15.0


def rule(f: F, _model: ModelView) -> Outcome:
    v = f.get("payment_verified")
    if v is True:
        reasons = [Reason("payment.verified", "client's payment method is verified", "verified")]
        return Outcome(False, reasons, {"payment_status": "verified"})
    if v is False:
        reason = Reason("payment_unverified", "client's payment method is not verified", "unverified", flag=CODE)
        term = QualityTerm("quality.payment_unverified", "payment not verified", -QUALITY_WEIGHT)
        return Outcome(True, [reason], {"payment_status": "unverified"}, [term])
    reason = Reason(
        "payment.unknown", "the source does not say whether payment is verified", "unknown", contribution=0.0
    )
    return Outcome(False, [reason], {"payment_status": "unknown"})


FLAG = Flag(
    code=CODE,
    label="payment unverified",
    severity=CAUTION,
    colour="#b3261e",
    background="#fde8e6",
    order=20,
    rule=rule,
    when="the client's payment method is known to be unverified (`clients.payment_verified = false`)",
    example="`client's payment method is not verified`",
)
