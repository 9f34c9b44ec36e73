from django.core.management.base import BaseCommand

from station.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create (or top up) the demo station, its communities, people, each platform's demo records and one "
        "login per role, then roll up the last twelve months for the dashboards. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300)
        parser.add_argument("--no-rollup", action="store_true", help="Skip the statistics rollup.")

    def handle(self, *args, people, no_rollup=False, **options):
        # The statistics app's seeder rolls up the last twelve months after every platform's records.
        result = seed_demo(people=people, skip={"stats"} if no_rollup else ())
        station = result["station"]
        self.stdout.write(self.style.SUCCESS(f"Demo station: {station} (new people: {result['new_people']})"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in result["logins"]:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write("Admin: /admin/   Dashboards: /dashboard/   Volunteers' phone pages: /v/")
