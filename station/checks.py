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
