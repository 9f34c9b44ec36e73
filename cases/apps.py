from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Casework")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station import registry
        from station.permissions import ROLE_PERMISSIONS
        from station.roles import Role

        from . import sections  # noqa: F401  (registers the person-page section)
        from .dashboard import overdue_visits_panel

        registry.dashboard_panels.register("cases", order=10)(overdue_visits_panel)

        from .plan import COVERAGE_DEFINITION, VISITED_DEFINITION

        registry.report_footnotes.register("cases.visit_coverage", COVERAGE_DEFINITION)
        registry.report_footnotes.register("cases.visited_in_month", VISITED_DEFINITION)

        from .demo import seed_casework

        registry.demo_seeders.register("cases", order=10)(seed_casework)

        ROLE_PERMISSIONS[Role.STATION_HEAD] |= {
            "cases.view_*",
            "cases.add_*",
            "cases.change_*",
            "cases.delete_goal",
            "cases.delete_caseapproval",
            "station.delete_need",
        }
        ROLE_PERMISSIONS[Role.SUPERVISOR] |= {
            "cases.view_visit",
            "cases.add_visit",
            "cases.change_visit",
            "cases.view_watchentry",
            "cases.add_watchentry",
            "cases.change_watchentry",
            "cases.view_visitrequest",
            "cases.add_visitrequest",
            "cases.view_case",
            "cases.add_case",
            "cases.change_case",
            "cases.view_goal",
            "cases.add_goal",
            "cases.change_goal",
            "cases.view_casesession",
            "cases.add_casesession",
            "cases.view_casenote",
            "cases.add_casenote",
            "cases.view_caseapproval",
            "cases.approve_case",
            "cases.view_group",
            "cases.add_group",
            "cases.change_group",
            "station.add_need",
            "station.change_need",
        }
        ROLE_PERMISSIONS[Role.SOCIAL_WORKER] |= {
            "cases.view_visit",
            "cases.add_visit",
            "cases.change_visit",
            "cases.view_watchentry",
            "cases.add_watchentry",
            "cases.change_watchentry",
            "cases.view_visitrequest",
            "cases.add_visitrequest",
            "cases.view_case",
            "cases.add_case",
            "cases.change_case",
            "cases.view_goal",
            "cases.add_goal",
            "cases.change_goal",
            "cases.delete_goal",
            "cases.view_casesession",
            "cases.add_casesession",
            "cases.view_casenote",
            "cases.add_casenote",
            "cases.view_caseapproval",
            "cases.view_group",
            "cases.add_group",
            "cases.change_group",
            "station.view_need",
            "station.add_need",
            "station.change_need",
        }
        ROLE_PERMISSIONS[Role.CADRE] |= {"station.view_need"}
