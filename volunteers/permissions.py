"""May this volunteer do this? Each check returns None when allowed, or the reason (in words a volunteer
reads) when not. The services enforce them; the pages use them to explain a greyed-out button."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Redemption, Reward, Volunteer


def reward_available_for(reward: Reward, volunteer: Volunteer, today: date | None = None) -> str | None:
    """Why the volunteer cannot redeem this reward now, or None."""
    today = today or timezone.localdate()
    if reward.station_id != volunteer.person.community.station_id or not reward.is_available_on(today):
        return _("This reward is not available.")
    if reward.stock <= 0:
        return _("This reward is out of stock.")
    if reward.per_volunteer_limit is not None:
        taken = Redemption.objects.filter(volunteer=volunteer, reward=reward).exclude(
            status=Redemption.Status.CANCELLED
        )
        if taken.count() >= reward.per_volunteer_limit:
            return _("You have reached the limit for this reward.")
    if volunteer.points_balance < reward.points_price:
        return _("Not enough points: this reward needs %(price)d, you have %(balance)d.") % {
            "price": reward.points_price,
            "balance": volunteer.points_balance,
        }
    return None
