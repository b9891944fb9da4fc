from django.core.management.base import BaseCommand

from members.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations, skills and people (idempotent)."

    def handle(self, *args, **options):
        created = seed_demo()
        from marketplace.demo import seed_marketplace

        created.update(seed_marketplace())
        summary = ", ".join(f"{n} {name}" for name, n in created.items() if n) or "nothing new"
        self.stdout.write(f"Demo data: {summary}.")
