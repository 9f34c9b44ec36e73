"""Evidence files: checked by their content, not by their name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def sniff_evidence(upload) -> tuple[str, int]:
    size = upload.size
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in settings.EVIDENCE_TYPES:
        raise ValidationError(_("Only photos (JPEG, PNG, WebP) and PDF files can be attached."))
    return kind.mime, size
