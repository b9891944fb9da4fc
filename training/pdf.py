"""The completion certificate as PDF, rendered by WeasyPrint from a
template (templates/training/certificate.html)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML, URLFetcher

from training.models import Completion


def certificate_pdf(completion: Completion) -> bytes:
    """In the member's own language: it is their document. The template
    refers only to the site's own logo, so nothing but local files is
    fetched while rendering."""
    logo = finders.find("img/logo.svg")
    with translation.override(completion.member.user.language or "nl"):
        html = render_to_string(
            "training/certificate.html",
            {
                "completion": completion,
                "module": completion.module,
                "member": completion.member,
                "logo_url": Path(logo).as_uri() if logo else "",
                "verify_url": f"{settings.SITE_URL}{reverse('training:certificate_verify')}"
                f"?code={completion.verification_code}",
            },
        )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("file",))).write_pdf()
