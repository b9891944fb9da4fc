"""Uploaded CVs: accept only real PDFs of limited size, store them under a
random name below MEDIA_ROOT (outside the web root), and hand them out only
through a view that has already checked who is asking."""

import uuid

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

MAX_CV_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
EOF_WINDOW = 1024


def validate_pdf(upload) -> None:
    """Raise ``ValidationError`` unless ``upload`` is a PDF of at most 5 MB:
    it must start with ``%PDF-`` and end with ``%%EOF`` within its last
    kilobyte. The name and the browser's content type are not trusted."""
    size = upload.size or 0
    if size > MAX_CV_BYTES:
        raise ValidationError(_("The file is larger than 5 MB. Make it smaller and try again."), code="too_large")
    if size < len(PDF_MAGIC) + len(PDF_EOF):
        raise ValidationError(_("The file is empty or not a PDF."), code="not_pdf")
    try:
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(max(0, size - EOF_WINDOW))
        tail = upload.read(EOF_WINDOW)
    finally:
        upload.seek(0)
    if head != PDF_MAGIC or PDF_EOF not in tail:
        raise ValidationError(
            _("This file is not a valid PDF. Save your CV as PDF and try again."), code="not_pdf"
        )


def anonymise_name(upload) -> None:
    """Store under a random name: no personal data in paths, no guessing,
    no overwriting."""
    upload.name = f"{uuid.uuid4().hex}.pdf"


def cv_response(application) -> FileResponse:
    """The CV of ``application`` as a download. The caller has checked the
    permission; a missing file is a 404."""
    field = application.cv
    if not field or not field.name:
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = slugify(str(application.member)) or "cv"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"cv-{name}-{application.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

