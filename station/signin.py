"""Sign-in attempts as the lockout (django-axes) records them.

Volunteers sign in with their phone number, so the lockout tables would keep a list of residents' numbers in
clear. Axes records the name this function returns instead: a phone number masked as every screen masks it,
with a short keyed fingerprint so that each account still has its own count. Other user names are kept as
typed. Full-width digits and invisible characters are normalised first, so they cannot dodge the count.
"""

from django.conf import settings

from . import idnumbers
from .phones import MOBILE, normalise_phone


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def axes_username(request, credentials=None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) or (request.POST.get(field) if request is not None else "") or ""
    phone = normalise_phone(raw)
    if MOBILE.match(phone):
        return f"{mask_phone(phone)} #{idnumbers.keyed_hash(phone)[:10]}"
    return str(raw)[:150]


def client_address(request) -> str:
    """The client's address: the socket's, or behind N trusted proxies the N-th entry from the right of
    X-Forwarded-For (each proxy appends the address it was reached from; entries further left are the
    client's own claims and are ignored)."""
    trusted = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    return entries[-trusted] if len(entries) >= trusted else remote
