"""Every write of the volunteer platform that has rules. Views, admin actions, imports and tasks call these.

One module per sub-domain: ``volunteers`` (registration, sign-in account), ``shifts`` (activities, shifts,
sign-ups, check-in and check-out), ``hours`` (service records and certificates), ``ledger`` (the points
ledger: adjustments, reversals, expiry) and ``shop`` (donations, redemptions). ``base`` holds the one lock
helper (rows of a table locked in primary-key order; across tables: service record, volunteer, redemption,
reward; shift, sign-up). Points move only through ``ledger.post_entry``, which runs with the volunteer row
locked and changes the balance in the same transaction.

Every name is re-exported here, so callers keep writing ``from volunteers import services`` and
``services.<name>``; the reads that used to live here (``approved_records``, ``points_expiring``,
``balance_mismatches``, ``find_volunteer_for_checkin``, ``station_of``) are ``volunteers.selectors``'s,
the pure rules (``credited_minutes``, ``signup_missing_requirements``) ``volunteers.rules``'s and
``reward_available_for`` is ``volunteers.permissions``'s, re-exported for the callers that knew them here.
"""

from ..permissions import reward_available_for
from ..rules import credited_minutes, signup_missing_requirements
from ..selectors import (
    CREDIT_KINDS,
    approved_records,
    balance_mismatches,
    find_volunteer_for_checkin,
    points_expiring,
    station_of,
)
from .hours import (
    certificate_issue,
    service_record_approve,
    service_record_backfill,
    service_record_backfill_many,
    service_record_correct,
    service_record_decline,
    service_record_submit,
)
from .ledger import ADJUSTMENT_LIMIT, ledger_reverse, points_adjust, points_expire
from .shifts import (
    auto_checkout_due,
    checkin_by_qr,
    checkin_by_worker,
    checkout,
    shift_delete,
    shift_save,
    signup_cancel,
    signup_create,
    volunteer_activity_save,
)
from .shop import (
    donation_record,
    redemption_cancel,
    redemption_fulfil,
    redemption_fulfil_by_code,
    redemption_place,
    reward_save,
)
from .volunteers import volunteer_register, volunteer_register_many, volunteer_set_password, volunteer_update

__all__ = [
    "ADJUSTMENT_LIMIT",
    "CREDIT_KINDS",
    "approved_records",
    "auto_checkout_due",
    "balance_mismatches",
    "certificate_issue",
    "checkin_by_qr",
    "checkin_by_worker",
    "checkout",
    "credited_minutes",
    "donation_record",
    "find_volunteer_for_checkin",
    "ledger_reverse",
    "points_adjust",
    "points_expire",
    "points_expiring",
    "redemption_cancel",
    "redemption_fulfil",
    "redemption_fulfil_by_code",
    "redemption_place",
    "reward_available_for",
    "reward_save",
    "service_record_approve",
    "service_record_backfill",
    "service_record_backfill_many",
    "service_record_correct",
    "service_record_decline",
    "service_record_submit",
    "shift_delete",
    "shift_save",
    "signup_cancel",
    "signup_create",
    "signup_missing_requirements",
    "station_of",
    "volunteer_activity_save",
    "volunteer_register",
    "volunteer_register_many",
    "volunteer_set_password",
    "volunteer_update",
]
