"""What each user may read. Every view and admin page loads through these functions."""

from functools import lru_cache

from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from .models import (
    Activity,
    Community,
    Household,
    ImportJob,
    Notification,
    PartnerUnit,
    Person,
    Rubric,
    Station,
)
from .roles import STATION_STAFF_ROLES, Role, profile_of
from .rows import Part, fetch_by_id


def unread_notifications_of(model, column: str) -> RawSQL:
    """An annotation of a query on ``model``: the unread notifications of the user whose id is in its
    ``column`` (the page header's badge). Written in SQL: Django took longer to compile the same count as a
    subquery than PostgreSQL took to run the whole query, on every signed-in page."""
    table = Notification._meta.db_table
    return RawSQL(
        f'SELECT COUNT(*) FROM "{table}" WHERE "{table}"."recipient_id" = "{model._meta.db_table}"."{column}" '
        f'AND "{table}"."read_at" IS NULL',
        (),
        output_field=IntegerField(),
    )


@lru_cache
def _session_query() -> tuple[str, list[Part]]:
    """``user_for_session`` written once (station.rows): the user, her staff profile and its station, and
    the unread count, by the user's id."""
    from django.contrib.auth import get_user_model

    from .models import StaffProfile

    def whole(model, alias):
        return Part(model, alias, tuple(f.name for f in model._meta.concrete_fields))

    user_model = get_user_model()
    user, profile, station = (
        whole(user_model, user_model._meta.db_table),
        whole(StaffProfile, "sp"),
        whole(Station, "st"),
    )
    unread = unread_notifications_of(user_model, user_model._meta.pk.column).sql
    sql = (
        f"SELECT {user.columns()}, {profile.columns()}, {station.columns()}, ({unread}) FROM {user.table()} "
        f"LEFT JOIN {profile.table()} ON {profile.column('user')} = {user.column('id')} "
        f"LEFT JOIN {station.table()} ON {station.column('id')} = {profile.column('station')} "
        f"WHERE {user.column('id')} = %s"
    )
    return sql, [user, profile, station]


def user_for_session(user_id):
    """A signed-in user as every page needs her: her staff profile and its station (the header's name, the
    role's permissions) and her unread notifications, in one query; None when there is no such user."""
    from .models import StaffProfile

    found = fetch_by_id(_session_query(), user_id, extra=1)
    if found is None:
        return None
    user, profile, station, unread = found
    user.unread_notifications = unread
    StaffProfile._meta.get_field("user").remote_field.set_cached_value(user, profile)
    if profile is not None:
        StaffProfile._meta.get_field("user").set_cached_value(profile, user)
        StaffProfile._meta.get_field("station").set_cached_value(profile, station)
    return user


def station_staff_users(station_ids=None, roles=STATION_STAFF_ROLES, include_superusers=False):
    """Active staff accounts of the given stations (every station when None) in one of ``roles``."""
    from django.contrib.auth import get_user_model

    q = Q(staff_profile__role__in=roles)
    if station_ids is not None:
        q &= Q(staff_profile__station_id__in=station_ids)
    if include_superusers:
        q |= Q(is_superuser=True)
    return get_user_model().objects.filter(is_active=True).filter(q)


def station_ids_for(user) -> list[int] | None:
    """Stations whose records the user may read; None means every station (superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    profile = profile_of(user)
    if profile is None:
        return []
    if profile.role == Role.DISTRICT_VIEWER:
        return list(Station.objects.filter(district=profile.district).values_list("pk", flat=True))
    return [profile.station_id] if profile.station_id else []


def community_filter_for(user, field: str = "community") -> Q | None:
    """A Q limiting rows to the communities the user may read, or None for no limit.

    ``field`` names the path from the queried model to ``Community``.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    profile = profile_of(user)
    if profile is None:
        return Q(pk__in=[])
    if profile.role in STATION_STAFF_ROLES:
        return Q(**{f"{field}__station_id": profile.station_id})
    if profile.role == Role.CADRE:
        return Q(**{f"{field}__in": profile.communities.all()})
    if profile.role == Role.DISTRICT_VIEWER:
        return Q(**{f"{field}__station__district": profile.district})
    return Q(pk__in=[])


def station_list_visible_to(user) -> QuerySet[Station]:
    ids = station_ids_for(user)
    qs = Station.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def community_list_visible_to(user) -> QuerySet[Community]:
    qs = Community.objects.select_related("station")
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role in STATION_STAFF_ROLES:
        return qs.filter(station_id=profile.station_id)
    if profile.role == Role.CADRE:
        return qs.filter(pk__in=profile.communities.values("pk"))
    if profile.role == Role.DISTRICT_VIEWER:
        return qs.filter(station__district=profile.district)
    return qs.none()


def rows_about_people_visible_to(user, queryset: QuerySet, community_field: str = "community") -> QuerySet:
    """Rows about people or places in the communities the user may read (``community_field`` is the path to
    the Community). District viewers read figures only, never rows about people. Every app scopes its
    people-facing records through this one function."""
    profile = profile_of(user)
    if profile is not None and profile.role == Role.DISTRICT_VIEWER:
        return queryset.none()
    q = community_filter_for(user, community_field)
    return queryset if q is None else queryset.filter(q)


def rows_of_station_staff(user, queryset: QuerySet, station_field: str = "station_id") -> QuerySet:
    """Rows only the station's own staff read (a superuser reads all): cadres, viewers and others read none."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    profile = profile_of(user)
    if profile is None or profile.role not in STATION_STAFF_ROLES:
        return queryset.none()
    return queryset.filter(**{station_field: profile.station_id})


def person_list_visible_to(user, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """People a user may read. District viewers read figures only, never people."""
    return rows_about_people_visible_to(user, Person.objects.all() if queryset is None else queryset)


def person_get_for_user(user, pk) -> Person:
    """The person, or 404 when out of the user's scope."""
    return get_object_or_404(
        person_list_visible_to(user).select_related("community__station").prefetch_related("designations"),
        pk=pk,
    )


def activity_list_visible_to(user) -> QuerySet[Activity]:
    """Activities of the user's stations; a cadre sees those in their communities and station-wide ones."""
    qs = Activity.objects.all()
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    profile = profile_of(user)
    if profile is None or profile.role == Role.DISTRICT_VIEWER:
        return qs.none()
    if profile.role == Role.CADRE:
        mine = profile.communities.all()
        return qs.filter(
            Q(community__in=mine) | Q(community__isnull=True, station_id__in=mine.values("station_id"))
        )
    return qs.filter(station_id=profile.station_id)


def household_list_visible_to(user) -> QuerySet[Household]:
    """Households of the communities the user may read (district viewers read figures only)."""
    qs = Household.objects.select_related("community")
    profile = profile_of(user)
    if profile is not None and profile.role == Role.DISTRICT_VIEWER:
        return qs.none()
    q = community_filter_for(user)
    return qs if q is None else qs.filter(q)


def partner_unit_list_visible_to(user) -> QuerySet[PartnerUnit]:
    """The partner units of the user's stations. Cadres and district viewers see them in figures only."""
    ids = station_ids_for(user)
    qs = PartnerUnit.objects.select_related("station")
    profile = profile_of(user)
    if profile is not None and profile.role not in STATION_STAFF_ROLES:
        return qs.none()
    return qs if ids is None else qs.filter(station_id__in=ids)


def rubric_list_visible_to(user) -> QuerySet[Rubric]:
    """Rubrics of the user's station and the shared templates (no station)."""
    ids = station_ids_for(user)
    qs = Rubric.objects.all()
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    return qs.filter(Q(station_id__in=ids) | Q(station__isnull=True))


# A person's household (户). Visits, needs and designations read their household through these; a list that
# shows many rows loads ``HOUSEHOLD_PATH`` with ``select_related`` so reading it costs no query per row.
HOUSEHOLD_PATH = "household_membership__household"


def household_of(person) -> Household | None:
    """The household the person belongs to, or None (no scope: the caller loaded the person through one)."""
    from .models import HouseholdMember

    try:
        return person.household_membership.household
    except HouseholdMember.DoesNotExist:
        return None


def household_members(household, user) -> list:
    """The household's members the user may read, with their relation to the head, the head first."""
    members = household.memberships.filter(person__in=person_list_visible_to(user)).select_related("person")
    return sorted(members, key=lambda m: (m.relation != m.Relation.HEAD, m.pk))


def people_found_by(user, term: str, limit: int = 20) -> list[Person]:
    """People the user may see whose name or phone number contains ``term`` (a sign-in sheet's line)."""
    term = (term or "").strip()
    if not term:
        return []
    qs = person_list_visible_to(user).filter(Q(name__icontains=term) | Q(phone__contains=term))
    return list(qs.select_related("community").order_by("name", "pk")[:limit])


def import_job_get_for_user(user, pk, *, model_label: str) -> ImportJob:
    """An import job of this admin page, for the user who uploaded it (or a superuser); 404 for anyone else.
    The stored file and report are left unread."""
    jobs = ImportJob.objects.defer("file", "report").filter(model_label=model_label)
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    return get_object_or_404(jobs, pk=pk)
