"""What each user may read on the volunteer platform.

Staff read through ``station.selectors`` (their station, a cadre their communities); a volunteer reads only
their own rows, and anything else is a 404.
"""

import unicodedata
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from station import selectors as station_selectors
from station.models import Community, PartnerUnit, Person, Station
from station.rows import Part, fetch_by_id

from . import rules
from .models import (
    Certificate,
    Donation,
    LedgerEntry,
    Redemption,
    Reward,
    ServiceRecord,
    Shift,
    SignUp,
    Volunteer,
    VolunteerActivity,
)

# The volunteer's own view ------------------------------------------------------------------------------


# What the volunteer's pages read of the signed-in volunteer: the row that holds the balance and the approved
# minutes, the name, and the station (through the community) that scopes every list; nothing else of the person.
VOLUNTEER_PAGE_FIELDS = (
    "person_id",
    "user_id",
    "joined_on",
    "status",
    "skills",
    "trainings",
    "points_balance",
    "approved_minutes",
    "page_version",
    "person__name",
    "person__community__station_id",
)
_VOLUNTEER_OF_USER = Volunteer._meta.get_field("user").remote_field


@lru_cache
def _restore_query() -> tuple[str, list[Part]]:
    """The session's restore (``user_with_volunteer``) written once: the user, her volunteer row with the
    fields above, the person's name and community, and the unread count, by the user's id."""
    user_model = get_user_model()
    user = Part(
        user_model, user_model._meta.db_table, tuple(f.name for f in user_model._meta.concrete_fields)
    )
    own = tuple(name.removesuffix("_id") for name in VOLUNTEER_PAGE_FIELDS if "__" not in name)
    volunteer = Part(Volunteer, "v", ("id", *own))
    person = Part(Person, "p", ("id", "name", "community"))
    community = Part(Community, "c", ("id", "station"))
    unread = station_selectors.unread_notifications_of(user_model, user_model._meta.pk.column).sql
    sql = (
        f"SELECT {user.columns()}, {volunteer.columns()}, {person.columns()}, {community.columns()}, ({unread}) "
        f"FROM {user.table()} "
        f"LEFT JOIN {volunteer.table()} ON {volunteer.column('user')} = {user.column('id')} "
        f"LEFT JOIN {person.table()} ON {person.column('id')} = {volunteer.column('person')} "
        f"LEFT JOIN {community.table()} ON {community.column('id')} = {person.column('community')} "
        f"WHERE {user.column('id')} = %s"
    )
    return sql, [user, volunteer, person, community]


def user_with_volunteer(user_id):
    """The user (every column Django's sign-in checks) with her volunteer row and unread reminders, in one
    query; None when there is no such user."""
    found = fetch_by_id(_restore_query(), user_id, extra=1)
    if found is None:
        return None
    user, volunteer, person, community, unread = found
    user.unread_notifications = unread
    _VOLUNTEER_OF_USER.set_cached_value(user, volunteer)
    if volunteer is not None:
        Volunteer._meta.get_field("user").set_cached_value(volunteer, user)
        Volunteer._meta.get_field("person").set_cached_value(volunteer, person)
        Person._meta.get_field("community").set_cached_value(person, community)
    return user


def volunteer_of(user) -> Volunteer | None:
    """The signed-in volunteer: already loaded with the user (``volunteers.backends.VolunteerBackend``), or
    else in one query, the row that holds the balance and the summary, with the user's unread reminders
    (handed to the page header through the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if _VOLUNTEER_OF_USER.is_cached(user):
        return getattr(user, "volunteer", None)
    found = list(
        Volunteer.objects.select_related("person__community")
        .only(*VOLUNTEER_PAGE_FIELDS)
        .annotate(unread_notifications=station_selectors.unread_notifications_of(Volunteer, "user_id"))
        .filter(user=user)
        .order_by()[:1]
    )
    if not found:
        return None
    user.unread_notifications = found[0].unread_notifications
    return found[0]


def own_pages_key(volunteer: Volunteer, user) -> tuple:
    """What a volunteer's own pages show that can change, read from the row the session restored: the key
    her home and ledger pages are kept under (station.pagecache). Every write those pages show either changes
    one of these columns or raises ``page_version`` in the same transaction (volunteers.services)."""
    return (
        volunteer.pk,
        volunteer.person.name,
        volunteer.status,
        volunteer.points_balance,
        volunteer.approved_minutes,
        volunteer.page_version,
        getattr(user, "unread_notifications", None),
    )


def volunteer_summary(volunteer: Volunteer) -> dict:
    minutes = volunteer.approved_minutes
    return {
        "balance": volunteer.points_balance,
        "approved_minutes": minutes,
        "approved_hours": round(minutes / 60, 1),
        "stars": rules.star_level(minutes),
        "next_star_hours": rules.next_star_hours(minutes),
    }


def ledger_for(volunteer: Volunteer) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(volunteer=volunteer).order_by("-created_at", "-pk")


LEDGER_PAGE_FIELDS = ("volunteer_id", "kind", "points", "reason", "created_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def ledger_cursor(entry: LedgerEntry) -> str:
    """Where an entry stands in the ledger's order (its time to the microsecond, then its id), for a URL."""
    return f"{(entry.created_at - _EPOCH) // _MICROSECOND}.{entry.pk}"


def _parse_cursor(text) -> tuple[datetime, int] | None:
    try:
        micro, pk = (int(part) for part in str(text).split("."))
        return _EPOCH + micro * _MICROSECOND, pk
    except (TypeError, ValueError, OverflowError):
        return None


class LedgerPage:
    """A page of the ledger, newest first, read by keyset: the entries older than the last one of the page
    before (or newer than the first one of the page after), so every page is one indexed read of one page's
    rows, however long the ledger grows. ``older`` and ``newer`` are the cursors of the next pages, or None."""

    def __init__(self, rows: list, older: str | None, newer: str | None):
        self.object_list, self.older, self.newer = rows, older, newer

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def ledger_page(volunteer: Volunteer, *, before=None, after=None, size: int = 30) -> LedgerPage:
    """The page of the volunteer's ledger just older than cursor ``before`` or just newer than ``after`` (see
    ``ledger_cursor``); the newest page without either, or when a cursor is malformed or leads nowhere."""
    entries = LedgerEntry.objects.filter(volunteer=volunteer).only(*LEDGER_PAGE_FIELDS)
    before, after = _parse_cursor(before) if before else None, _parse_cursor(after) if after else None
    if after is not None:
        at, pk = after
        rows = list(
            entries.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk)).order_by("created_at", "pk")[
                : size + 1
            ]
        )
        newer = len(rows) > size
        rows = rows[:size][::-1]
        older = bool(rows)
    else:
        if before is not None:
            at, pk = before
            entries = entries.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
        rows = list(entries.order_by("-created_at", "-pk")[: size + 1])
        older = len(rows) > size
        rows = rows[:size]
        newer = before is not None
    if not rows and (before or after):
        return ledger_page(volunteer, size=size)
    return LedgerPage(
        rows,
        older=ledger_cursor(rows[-1]) if older else None,
        newer=ledger_cursor(rows[0]) if newer else None,
    )


def service_records_for(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(volunteer=volunteer).order_by("-service_date", "-pk")


def open_shifts_for(volunteer: Volunteer) -> QuerySet[Shift]:
    station_id = volunteer.person.community.station_id
    return (
        Shift.objects.filter(
            volunteer_activity__activity__station_id=station_id,
            volunteer_activity__is_published=True,
            ends_at__gt=timezone.now(),
        )
        .select_related("volunteer_activity__activity__community")
        .annotate(taken=Count("signups", filter=Q(signups__status=SignUp.Status.SIGNED_UP)))
        .order_by("starts_at", "pk")
    )


def shift_get_for_volunteer(volunteer: Volunteer, pk) -> Shift:
    station_id = volunteer.person.community.station_id
    return get_object_or_404(
        Shift.objects.select_related("volunteer_activity__activity").annotate(
            taken=Count("signups", filter=Q(signups__status=SignUp.Status.SIGNED_UP))
        ),
        pk=pk,
        volunteer_activity__activity__station_id=station_id,
    )


def my_signups(volunteer: Volunteer) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP)
        .select_related("shift__volunteer_activity__activity")
        .order_by("-shift__starts_at")
    )


def coming_signups(volunteer: Volunteer, limit: int) -> list[dict]:
    """The volunteer's sign-ups for shifts not over yet, as the home page shows them (plain values: the
    home page is the phone's most read page, and Django compiled the same query with its objects at twice the
    cost)."""
    columns = {
        "shift_id": "shift_id",
        "title": "shift__volunteer_activity__activity__title",
        "starts_at": "shift__starts_at",
        "ends_at": "shift__ends_at",
        "place": "shift__place",
        "checked_in_at": "checked_in_at",
        "checked_out_at": "checked_out_at",
    }
    rows = my_signups(volunteer).filter(shift__ends_at__gt=timezone.now()).values_list(*columns.values())
    return [dict(zip(columns, row, strict=True)) for row in rows[:limit]]


def rewards_for(volunteer: Volunteer) -> QuerySet[Reward]:
    today = timezone.localdate()
    return (
        Reward.objects.filter(
            station_id=volunteer.person.community.station_id, is_active=True, active_from__lte=today
        )
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=today))
        .select_related("sponsor")
        .order_by("points_price", "name")
    )


def reward_get_for_volunteer(volunteer: Volunteer, pk) -> Reward:
    return get_object_or_404(
        Reward.objects.select_related("sponsor"), pk=pk, station_id=volunteer.person.community.station_id
    )


def redemptions_for(volunteer: Volunteer) -> QuerySet[Redemption]:
    return Redemption.objects.filter(volunteer=volunteer).select_related("reward").order_by("-created_at")


def redemption_get_for_volunteer(volunteer: Volunteer, pk) -> Redemption:
    return get_object_or_404(redemptions_for(volunteer), pk=pk)


def certificate_get_for_volunteer(volunteer: Volunteer, number: str) -> Certificate:
    if "\x00" in number:  # PostgreSQL refuses NUL in a query
        raise Http404
    return get_object_or_404(
        Certificate.objects.select_related("station", "volunteer__person"), volunteer=volunteer, number=number
    )


def certificate_verify(number: str) -> Certificate | None:
    if "\x00" in number:  # PostgreSQL refuses NUL in a query
        return None
    return Certificate.objects.select_related("station", "volunteer__person").filter(number=number).first()


def overlapping_signups(volunteer: Volunteer, shift: Shift) -> QuerySet[SignUp]:
    """The volunteer's other current sign-ups whose shifts overlap this one (a warning, not a refusal)."""
    return (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP)
        .exclude(shift=shift)
        .filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
        .select_related("shift__volunteer_activity__activity")
    )


def approved_records(volunteer: Volunteer, start: date, end: date) -> QuerySet[ServiceRecord]:
    """The volunteer's approved hours served from ``start`` to ``end`` (both included)."""
    return ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=ServiceRecord.Status.APPROVED,
        service_date__gte=start,
        service_date__lte=end,
    )


CREDIT_KINDS = (LedgerEntry.Kind.EARN, LedgerEntry.Kind.ADJUSTMENT)


def points_expiring(volunteer: Volunteer, cutoff: datetime) -> int:
    """Points earned before ``cutoff`` still unspent, spending oldest first (FIFO).

    Every debit so far (redemptions, expiries, reversals of credits, negative adjustments) is taken from the
    oldest credits first, so what is left of the old credits is old credit minus everything spent.
    """
    credits = LedgerEntry.objects.filter(volunteer=volunteer, kind__in=CREDIT_KINDS, points__gt=0)
    total_credit = credits.aggregate(s=Sum("points"))["s"] or 0
    old_credit = credits.filter(created_at__lt=cutoff).aggregate(s=Sum("points"))["s"] or 0
    spent = total_credit - volunteer.points_balance
    return max(0, min(old_credit - spent, volunteer.points_balance))


def station_of(volunteer: Volunteer) -> Station:
    return volunteer.person.community.station


# Staff ---------------------------------------------------------------------------------------------------


def _scoped(qs: QuerySet, user, field: str) -> QuerySet:
    q = station_selectors.community_filter_for(user, field=field)
    return qs if q is None else qs.filter(q)


def volunteer_list_visible_to(user, queryset=None) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.all() if queryset is None else queryset
    return _scoped(qs, user, "person__community")


def volunteer_activity_list_visible_to(user, queryset=None) -> QuerySet[VolunteerActivity]:
    qs = VolunteerActivity.objects.all() if queryset is None else queryset
    return qs.filter(activity__in=station_selectors.activity_list_visible_to(user))


def shift_list_visible_to(user, queryset=None) -> QuerySet[Shift]:
    qs = Shift.objects.all() if queryset is None else queryset
    return qs.filter(volunteer_activity__activity__in=station_selectors.activity_list_visible_to(user))


def may_run_checkin(user) -> bool:
    """Only station staff (and superusers) run a shift's check-in screen; cadres and viewers only read."""
    from station.roles import is_station_staff

    return is_station_staff(user) or getattr(user, "is_superuser", False)


def shift_get_for_staff(user, pk) -> Shift:
    if not may_run_checkin(user):
        raise Http404
    return get_object_or_404(
        shift_list_visible_to(user).select_related("volunteer_activity__activity"), pk=pk
    )


def find_volunteer_for_checkin(*, shift: Shift, query: str) -> Volunteer:
    """A worker types a phone number or a name for an elder without a smartphone."""
    query = (query or "").strip()
    if not query:
        raise ValidationError(_("Type a phone number or a name."))
    station_id = shift.volunteer_activity.activity.station_id
    # A phone number as people type it: "138 1234-5678", full-width digits from a Chinese input method.
    phone = "".join(c for c in unicodedata.normalize("NFKC", query) if c not in " -")
    found = list(
        Volunteer.objects.filter(person__community__station_id=station_id)
        .filter(Q(person__phone=phone) | Q(person__name=query))
        .select_related("person__community")[:3]
    )
    if not found:
        raise ValidationError(_("No volunteer with this phone number or name."))
    if len(found) > 1:
        raise ValidationError(_("Several volunteers have this name; type the phone number instead."))
    return found[0]


def service_record_list_visible_to(user, queryset=None) -> QuerySet[ServiceRecord]:
    qs = ServiceRecord.objects.all() if queryset is None else queryset
    return _scoped(qs, user, "volunteer__person__community")


def balance_mismatches(limit: int | None = None) -> list[tuple[int, int, int]]:
    """(volunteer id, balance kept, sum of entries) for every volunteer whose two disagree."""
    rows = (
        Volunteer.objects.annotate(ledger_sum=Coalesce(Sum("ledger__points"), 0))
        .exclude(points_balance=F("ledger_sum"))
        .order_by("pk")
        .values_list("pk", "points_balance", "ledger_sum")
    )
    if limit:
        rows = rows[:limit]
    return [(pk, balance, total or 0) for pk, balance, total in rows]


def ledger_list_visible_to(user, queryset=None) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.all() if queryset is None else queryset
    return _scoped(qs, user, "volunteer__person__community")


def redemption_list_visible_to(user, queryset=None) -> QuerySet[Redemption]:
    qs = Redemption.objects.all() if queryset is None else queryset
    return _scoped(qs, user, "volunteer__person__community")


def _station_scoped(qs: QuerySet, user, field: str = "station_id") -> QuerySet:
    ids = station_selectors.station_ids_for(user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def sponsor_list_visible_to(user, queryset=None) -> QuerySet[PartnerUnit]:
    """The units of the partner units directory the user may choose as a reward's or a donation's sponsor."""
    units = station_selectors.partner_unit_list_visible_to(user)
    return units if queryset is None else queryset.filter(pk__in=units.values("pk"))


def reward_list_visible_to(user, queryset=None) -> QuerySet[Reward]:
    return _station_scoped(Reward.objects.all() if queryset is None else queryset, user)


def donation_list_visible_to(user, queryset=None) -> QuerySet[Donation]:
    qs = Donation.objects.all() if queryset is None else queryset
    return qs.filter(sponsor__in=sponsor_list_visible_to(user))


def donor_report(user) -> list[dict]:
    """For each partner unit that sponsored the shop (gave a donation or stands behind a reward): what was
    donated, redeemed, and by how many volunteers."""
    sponsors = list(
        sponsor_list_visible_to(user)
        .filter(Q(shop_donations__isnull=False) | Q(shop_rewards__isnull=False))
        .distinct()
        .order_by("name", "pk")
    )
    ids = [sponsor.pk for sponsor in sponsors]
    given = {
        row["sponsor_id"]: row
        for row in Donation.objects.filter(sponsor_id__in=ids)
        .values("sponsor_id")
        .annotate(n=Sum("quantity"), v=Sum("value"), count=Count("pk"))
    }
    redeemed = {
        row["reward__sponsor_id"]: row
        for row in Redemption.objects.filter(reward__sponsor_id__in=ids)
        .exclude(status=Redemption.Status.CANCELLED)
        .values("reward__sponsor_id")
        .annotate(
            n=Count("pk"),
            people=Count("volunteer_id", distinct=True),
            fulfilled=Count("pk", filter=Q(status=Redemption.Status.FULFILLED)),
            points=Sum("points"),
        )
    }
    report = []
    for sponsor in sponsors:
        g = given.get(sponsor.pk, {})
        r = redeemed.get(sponsor.pk, {})
        report.append(
            {
                "sponsor": sponsor,
                "donations": g.get("count", 0),
                "donated_items": g.get("n") or 0,
                "donated_value": g.get("v"),
                "redeemed": r.get("n", 0),
                "fulfilled": r.get("fulfilled", 0),
                "volunteers": r.get("people", 0),
                "points": r.get("points", 0) or 0,
            }
        )
    return report


# Other platforms (no signed-in user: the caller has already scoped what it asks about) -------------------


def volunteer_facts(person_ids) -> dict[int, tuple[date, int]]:
    """``{person_id: (joined_on, approved_minutes)}`` for those of the people who are volunteers, in one query.

    Approved time is what ``volunteer_summary`` shows: the minutes of the volunteer's service records in the
    approved state, kept on the volunteer's row.
    """
    rows = (
        Volunteer.objects.filter(person_id__in=list(person_ids))
        .order_by()
        .values_list("person_id", "joined_on", "approved_minutes")
    )
    return {person_id: (joined_on, approved) for person_id, joined_on, approved in rows}


def volunteer_person_ids(station, *, joined_by=None) -> QuerySet:
    """The ids (``person_id``) of the station's volunteers, for a subquery (``station``: a station, its id or
    an expression such as ``OuterRef("org__station_id")``); with ``joined_by`` (a date or an expression such
    as ``OuterRef("joined_on")``) only those who had joined by then."""
    qs = Volunteer.objects.filter(person__community__station=station)
    if joined_by is not None:
        qs = qs.filter(joined_on__lte=joined_by)
    return qs.order_by().values("person_id")
