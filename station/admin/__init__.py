"""The core's admin, one module per sub-domain. Platform apps build on the base classes re-exported here."""

from . import activities, directory, needs, notices, people  # noqa: F401  (registers the model admins)
from .activities import EvidenceForm  # noqa: F401
from .base import (  # noqa: F401
    SafeActionsMixin,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    bulk_apply,
    scoped_formfield,
)
from .needs import NeedAdmin  # noqa: F401
