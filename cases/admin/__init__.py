"""The casework admin, by sub-domain: visits and the visit plan, case files, group work."""

from station.admin import NeedAdmin

from ..resources import NeedResource
from . import casefiles, groups, visits  # noqa: F401  (registers the model admins)

# The needs list lives in station; its Excel format (import of workers' sheets) lives here.
NeedAdmin.resource_classes = [NeedResource]
