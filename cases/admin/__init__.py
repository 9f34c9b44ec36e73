"""The casework admin, by sub-domain: visits and the visit plan, case files, group work."""

from . import casefiles, groups, visits  # noqa: F401  (registers the model admins)
