from django.dispatch import Signal

# Sent after commit when an assignment is published (matching listens).
assignment_published = Signal()
