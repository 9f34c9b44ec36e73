from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Permission patterns each staff role gets on this platform (added to station.permissions.ROLE_PERMISSIONS).
PROJECT_ROLE_PERMISSIONS = {
    "station_head": {"projects.view_*", "projects.add_*", "projects.change_*", "projects.delete_budgetline"},
    "supervisor": {"projects.view_*", "projects.add_*", "projects.change_*"},
    "social_worker": {
        "projects.view_*",
        "projects.add_project",
        "projects.change_project",
        "projects.add_projectactivity",
        "projects.change_projectactivity",
        "projects.add_resource",
        "projects.add_beneficiary",
        "projects.add_budgetline",
        "projects.change_budgetline",
        "projects.add_milestone",
        "projects.change_milestone",
        "projects.add_outcome",
        "projects.change_outcome",
        "projects.add_evaluation",
        "projects.add_tranche",
        "projects.change_tranche",
        "projects.add_application",
        "projects.change_application",
        "projects.add_assignment",
        "station.view_rubric",
        "station.view_rubriccriterion",
    },
    "cadre": {"projects.view_project", "projects.view_milestone", "projects.view_outcome"},
}


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Charity projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import demo_seeders, person_sections

        from .demo import seed_projects
        from .sections import project_section

        for role, patterns in PROJECT_ROLE_PERMISSIONS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(patterns)
        person_sections.register("projects", order=60)(project_section)
        demo_seeders.register("projects", order=60)(seed_projects)

        from station.registry import home_pages

        home_pages.register("projects", order=60)(
            lambda user: "/projects/judge/" if getattr(user, "judge", None) is not None else None
        )
