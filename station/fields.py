"""Model fields the core lends every app."""

from django.core.validators import MaxLengthValidator
from django.db import models


class LimitedTextField(models.TextField):
    """Free text with a maximum that model validation enforces too. Django enforces a TextField's
    ``max_length`` only in forms, so a service's ``full_clean()`` would store a 10 MB case note; this field
    refuses it with a message, as a CharField does. Every free-text field of the platform is one of these."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 5000)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))
