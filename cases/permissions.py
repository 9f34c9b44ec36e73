"""May this user do this to that case? Each check returns None when allowed, or the reason why not.

Services enforce these (so no page can skip them); pages and the admin ask them to decide what to show.
"""

from django.utils.translation import gettext as _

from station.roles import Role, is_station_staff

from .models import Case


def _superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def case_work_refusal(user, case: Case) -> str | None:
    """Work on the case file (goals, service records, notes, steps): its worker, its supervisor, the head."""
    if _superuser(user) or user.pk in (case.worker_id, case.supervisor_id):
        return None
    if is_station_staff(user, case.station_id, roles={Role.STATION_HEAD}):
        return None
    return _("Only the case's worker, its supervisor or the station head may do this.")


def case_decide_refusal(user, case: Case) -> str | None:
    """Approve or send back the waiting step: the case's supervisor (who may be the station head)."""
    if not (_superuser(user) or user.pk == case.supervisor_id):
        return _("Only the case's supervisor may approve or send back.")
    return None


def case_reassign_refusal(user, case: Case) -> str | None:
    """Who handles a case and who approves it is the station head's call, never the worker's own."""
    if is_station_staff(user, case.station_id, roles={Role.STATION_HEAD}):
        return None
    return _("Only the station head may change a case's worker or supervisor.")
