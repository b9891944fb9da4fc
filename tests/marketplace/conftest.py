"""Fixtures for the marketplace tests: uploaded files go to a temporary
folder, and a published assignment of organisation A."""

import pytest

from tests.factories import AssignmentFactory

# A minimal file that passes the upload check (starts with %PDF-, ends with %%EOF).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published_a(org_a, coordinator_a):
    """A published assignment of organisation A, visible province-wide."""
    return AssignmentFactory(
        organisation=org_a, created_by=coordinator_a, published=True,
        title="Adviseur duurzame energie", place="Tilburg",
    )
