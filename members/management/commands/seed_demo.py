from django.core.management.base import BaseCommand

from members.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations, people, assignments, training, hours and invoices (idempotent)."

    def handle(self, *args, **options):
        from insight.demo import seed_insight
        from invoicing.demo import seed_invoicing
        from marketplace.demo import seed_marketplace
        from matching.demo import seed_matching
        from training.demo import seed_training

        created = seed_demo()
        created.update(seed_marketplace())
        created.update(seed_training())
        created.update(seed_invoicing())
        created.update(seed_insight())
        # Last: the suggestions are computed from everything above.
        created.update(seed_matching())
        summary = ", ".join(f"{n} {name}" for name, n in created.items() if isinstance(n, int) and n) or "nothing new"
        self.stdout.write(f"Demo data: {summary}.")
