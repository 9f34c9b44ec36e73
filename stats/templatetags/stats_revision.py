"""``{% month_revised station month %}``: "修订于 <date>" beside a final month that a late record revised."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from stats.selectors import month_revision

register = template.Library()


@register.simple_tag
def month_revised(station, month):
    if station is None or month is None:
        return ""
    run = month_revision(station, month)
    if run is None:
        return ""
    day = f"{timezone.localdate(run.revised_at):%Y-%m-%d}"
    return format_html(
        '<span class="badge text-bg-warning" data-testid="revised" title="{}">{}</span>',
        run.revision_reason,
        _("revised on %(day)s") % {"day": day},
    )
