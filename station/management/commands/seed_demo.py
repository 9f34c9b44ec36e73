from django.core.management.base import BaseCommand

from station.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or top up) the demo station, its communities, people and one login per role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300)

    def handle(self, *args, people, **options):
        result = seed_demo(people=people)
        self.stdout.write(
            self.style.SUCCESS(f"Demo station: {result['station']} (new people: {result['new_people']})")
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in result["logins"]:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/")
