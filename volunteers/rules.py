"""Pure rules of the platform: points for service, star levels, rotating check-in tokens. No writes here."""

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def _fmt_hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g}" if hours == int(hours) else f"{hours:.2f}".rstrip("0").rstrip(".")


@dataclass
class PointsRule:
    minutes: int
    rate: int
    multiplier: int
    points: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self, service_date: date) -> dict:
        return {
            "service_date": service_date.isoformat(),
            "minutes": self.minutes,
            "points_per_hour": self.rate,
            "multiplier": self.multiplier,
            "why": self.reasons,
            "stack": settings.VOLUNTEER_MULTIPLIERS_STACK,
        }

    def describe(self, what: str) -> str:
        """The words a volunteer reads beside the entry, in the station's language."""
        with translation.override(settings.LANGUAGE_CODE):
            text = _("%(what)s: %(hours)s hours × %(rate)d points per hour") % {
                "what": what,
                "hours": _fmt_hours(self.minutes),
                "rate": self.rate,
            }
            if self.multiplier > 1:
                text += _(" × %(m)d (%(why)s)") % {"m": self.multiplier, "why": "；".join(self.reasons)}
        return text[:300]


def multiplier_for(person, day: date) -> tuple[int, list[str]]:
    """2 when the person was low-age elderly or in difficulty on the day of service, else 1.

    The two reasons do not stack (still 2) unless VOLUNTEER_MULTIPLIERS_STACK says so (then 4).
    """
    reasons = []
    with translation.override(settings.LANGUAGE_CODE):
        if person.is_low_age_elderly_on(day):
            reasons.append(
                _("aged %(age)d on the day of service: low-age elderly, double points")
                % {"age": person.age_on(day)}
            )
        if person.is_in_difficulty_on(day):
            counted = set(settings.DIFFICULTY_DESIGNATIONS)
            kinds = "、".join(
                sorted({str(d.get_kind_display()) for d in person.designations_on(day) if d.kind in counted})
            )
            reasons.append(
                _("in difficulty on the day of service (%(kinds)s): double points") % {"kinds": kinds}
            )
    if not reasons:
        return 1, []
    if settings.VOLUNTEER_MULTIPLIERS_STACK:
        return 2 ** len(reasons), reasons
    return 2, reasons


def points_for_service(*, person, day: date, minutes: int, rate: int | None = None) -> PointsRule:
    rate = settings.VOLUNTEER_POINTS_PER_HOUR if rate is None else rate
    multiplier, reasons = multiplier_for(person, day)
    base = minutes * rate // 60
    return PointsRule(
        minutes=minutes, rate=rate, multiplier=multiplier, points=base * multiplier, reasons=reasons
    )


def credited_minutes(shift, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Time inside the shift only: never more than the shift's length."""
    start = max(checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def signup_missing_requirements(volunteer, volunteer_activity) -> list[str]:
    """The skills and trainings an activity asks for that the volunteer has not declared."""
    missing = sorted(volunteer.split(volunteer_activity.required_skills) - volunteer.skill_set)
    missing += sorted(volunteer.split(volunteer_activity.required_training) - volunteer.training_set)
    return missing


def star_level(approved_minutes: int) -> int:
    """Stars (0-5) from approved hours against the national thresholds (a setting)."""
    hours = approved_minutes / 60
    return sum(1 for threshold in settings.VOLUNTEER_STAR_HOURS if hours >= threshold)


def next_star_hours(approved_minutes: int) -> int | None:
    hours = approved_minutes / 60
    for threshold in settings.VOLUNTEER_STAR_HOURS:
        if hours < threshold:
            return threshold
    return None


# Rotating check-in token: HMAC of (shift, time window). The current and the previous window are accepted,
# so a photo of an older code is refused.


def qr_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // settings.VOLUNTEER_QR_WINDOW_SECONDS)


def qr_token(shift, window: int) -> str:
    key = f"{settings.SECRET_KEY}:{shift.qr_secret}".encode()
    return hmac.new(key, f"{shift.pk}:{window}".encode(), hashlib.sha256).hexdigest()[:20]


def qr_token_now(shift, now: float | None = None) -> str:
    return qr_token(shift, qr_window(now))


def qr_token_is_valid(shift, token: str, now: float | None = None) -> bool:
    window = qr_window(now)
    token = (token or "").strip()
    return bool(token) and any(hmac.compare_digest(token, qr_token(shift, window - back)) for back in (0, 1))
