from celery import shared_task

from training import services


@shared_task
def send_session_reminders() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): e-mail everyone enrolled in a session
    two days ahead. Safe to run more than once: each session is reminded
    once (``Session.reminder_sent_at``)."""
    return services.session_send_reminders()
