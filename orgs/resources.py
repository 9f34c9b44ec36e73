"""Excel import and export of organisations and their rosters: all rows or none, errors by Excel row number,
Chinese column headings. Rows are saved through ``orgs.services``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from station.resources import ChoiceLabelWidget, StrictResource
from station.selectors import community_list_visible_to, person_list_visible_to

from . import selectors, services
from .models import CommunityOrg, Membership, category_choices


class StrictDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (write 2026-03-05).") % {"value": value}) from None


class NamedWidget(widgets.Widget):
    """A record the importing user may see, found by its name."""

    def __init__(self, lookup, missing, unknown, **kwargs):
        self.lookup, self.missing, self.unknown = lookup, missing, unknown
        self.user = None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(self.missing)
        found = self.lookup(self.user).filter(name=name).first()
        if found is None:
            raise ValueError(self.unknown % {"name": name})
        return found

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "name", "") if value else ""


class PersonWidget(widgets.Widget):
    """A person the importing user may see, by name, with the phone number to tell namesakes apart."""

    def __init__(self, **kwargs):
        self.user = None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("The person's name is missing."))
        qs = person_list_visible_to(self.user).filter(name=name)
        phone = str((row or {}).get(str(_("phone"))) or "").strip().removesuffix(".0")
        if phone:
            qs = qs.filter(phone=phone)
        found = list(qs[:2])
        if not found:
            raise ValueError(_("Unknown person “%(name)s”.") % {"name": name})
        if len(found) > 1:
            raise ValueError(
                _("Several people are called “%(name)s”; add the phone number.") % {"name": name}
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class UserResource(StrictResource):
    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station, self.user = station, user
        for field in self.fields.values():
            if hasattr(field.widget, "user"):
                field.widget.user = user

    def get_instance(self, instance_loader, row):
        return None  # imports add records; corrections are made in the admin

    def _save(self, call):
        try:
            return call()
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None


class OrgResource(UserResource):
    name = fields.Field(
        attribute="name", column_name=gettext_lazy("organisation name"), widget=widgets.CharWidget()
    )
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("category"),
        widget=ChoiceLabelWidget(category_choices()),
    )
    community = fields.Field(
        attribute="community",
        column_name=gettext_lazy("home community"),
        widget=NamedWidget(
            community_list_visible_to,
            gettext_lazy("The community is missing."),
            gettext_lazy("Unknown community “%(name)s”."),
        ),
    )
    founded_on = fields.Field(
        attribute="founded_on", column_name=gettext_lazy("founded on"), widget=StrictDateWidget()
    )
    venue = fields.Field(attribute="venue", column_name=gettext_lazy("venue"), widget=widgets.CharWidget())
    rhythm = fields.Field(
        attribute="rhythm", column_name=gettext_lazy("activity rhythm"), widget=widgets.CharWidget()
    )
    party_link = fields.Field(
        attribute="party_link", column_name=gettext_lazy("party link"), widget=widgets.CharWidget()
    )
    tier = fields.Field(
        attribute="tier",
        column_name=gettext_lazy("legal standing"),
        widget=ChoiceLabelWidget(CommunityOrg.Tier.choices),
    )
    filing_number = fields.Field(
        attribute="filing_number", column_name=gettext_lazy("filing number"), widget=widgets.CharWidget()
    )
    filed_on = fields.Field(
        attribute="filed_on", column_name=gettext_lazy("filed on"), widget=StrictDateWidget()
    )
    credit_code = fields.Field(
        attribute="credit_code",
        column_name=gettext_lazy("unified social credit code"),
        widget=widgets.CharWidget(),
    )
    registered_on = fields.Field(
        attribute="registered_on", column_name=gettext_lazy("registered on"), widget=StrictDateWidget()
    )

    class Meta:
        model = CommunityOrg
        fields = ("name", "category", "community", "founded_on", "venue", "rhythm", "party_link", "tier",
                  "filing_number", "filed_on", "credit_code", "registered_on")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.community_id:
            instance.station = instance.community.station
        instance.tier = instance.tier or CommunityOrg.Tier.LOOSE
        if not instance.led_by and instance.category:
            instance.led_by = CommunityOrg.default_led_by(instance.category)

    def save_instance(self, instance, is_create, row, **kwargs):
        self._save(lambda: services.org_save(org=instance, actor=self.user))

    def get_queryset(self):
        return selectors.org_list_visible_to(self.user).select_related("community")


class MembershipResource(UserResource):
    org = fields.Field(
        attribute="org",
        column_name=gettext_lazy("community organisation"),
        widget=NamedWidget(
            selectors.org_list_visible_to, gettext_lazy("The organisation is missing."),
            gettext_lazy("Unknown organisation “%(name)s”."),
        ),
    )  # fmt: skip
    person = fields.Field(attribute="person", column_name=gettext_lazy("name"), widget=PersonWidget())
    phone = fields.Field(column_name=gettext_lazy("phone"), readonly=True)
    role = fields.Field(
        attribute="role", column_name=gettext_lazy("role"), widget=ChoiceLabelWidget(Membership.Role.choices)
    )
    joined_on = fields.Field(
        attribute="joined_on", column_name=gettext_lazy("joined on"), widget=StrictDateWidget()
    )
    left_on = fields.Field(
        attribute="left_on", column_name=gettext_lazy("left on"), widget=StrictDateWidget()
    )

    class Meta:
        model = Membership
        fields = ("org", "person", "phone", "role", "joined_on", "left_on")
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def dehydrate_phone(self, membership):
        return membership.person.phone

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.role = instance.role or Membership.Role.MEMBER
        if instance.joined_on is None:
            raise ValidationError({"joined_on": _("The date of joining is missing.")})

    def save_instance(self, instance, is_create, row, **kwargs):
        self._save(lambda: services.membership_save(membership=instance, actor=self.user))

    def get_queryset(self):
        return selectors.membership_list_visible_to(self.user).select_related("org", "person")
