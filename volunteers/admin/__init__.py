"""The social workers' side of the volunteer platform, one module per sub-domain: ``volunteers`` (volunteers,
their hours and certificates), ``activities`` (activities and shifts), ``ledger`` (the points ledger) and
``shop`` (rewards, donations, redemptions). Every write goes through ``volunteers.services``."""

from .activities import ShiftAdmin, VolunteerActivityAdmin
from .ledger import LedgerEntryAdmin
from .shop import DonationAdmin, RedemptionAdmin, RewardAdmin
from .volunteers import CertificateAdmin, ServiceRecordAdmin, VolunteerAdmin

__all__ = [
    "CertificateAdmin",
    "DonationAdmin",
    "LedgerEntryAdmin",
    "RedemptionAdmin",
    "RewardAdmin",
    "ServiceRecordAdmin",
    "ShiftAdmin",
    "VolunteerActivityAdmin",
    "VolunteerAdmin",
]
