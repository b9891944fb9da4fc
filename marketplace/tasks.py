from celery import shared_task

from marketplace import services


@shared_task
def close_expired_assignments() -> int:
    return services.assignments_close_expired()
