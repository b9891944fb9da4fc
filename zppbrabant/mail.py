"""E-mail rendered from templates in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(
    *, to: list[str], template: str, context: dict, language: str | None = None
) -> None:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and, when it
    exists, ``<template>.html`` and send them."""
    language = language or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        subject = " ".join(subject.splitlines())
        body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.send()
