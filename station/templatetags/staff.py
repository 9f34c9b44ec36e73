"""``{% load staff %}{{ user|staff_name }}``: a user shown by their name (roles.display_name)."""

from django import template

from ..roles import display_name

register = template.Library()


@register.filter
def staff_name(user) -> str:
    return display_name(user)
