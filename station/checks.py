from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def field_encryption_key_is_set(app_configs, **kwargs):
    """ID numbers are encrypted with FIELD_ENCRYPTION_KEY: production must never run on the local default."""
    if settings.FIELD_ENCRYPTION_KEY == settings.LOCAL_FIELD_ENCRYPTION_KEY:
        return [
            Error(
                "FIELD_ENCRYPTION_KEY is not set: ID numbers would be encrypted with a public local key.",
                hint="Set FIELD_ENCRYPTION_KEY in the environment, once, before any data is entered.",
                id="station.E001",
            )
        ]
    return []


@register(deploy=True)
def keys_are_not_placeholders(app_configs, **kwargs):
    """The keys in .env.example are placeholders to be replaced: production must never run on them."""
    errors = []
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
        if "change-me" in str(getattr(settings, name, "")).lower():
            errors.append(
                Error(
                    f"{name} is still the placeholder from .env.example.",
                    hint=f"Set {name} to a long random value of your own.",
                    id="station.E002",
                )
            )
    return errors
