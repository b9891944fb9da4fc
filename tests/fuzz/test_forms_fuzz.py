"""Every form of the site, fuzzed with Hypothesis (issue 8).

The forms are found, not listed: every page of the permission matrix that
answers 200 to someone is fetched as that person, and each <form> on it is
fuzzed with 200 examples of hostile input per field — very long strings,
control characters, HTML/script, SQL-looking text, wrong types, huge numbers,
sometimes a valid choice so that the other fields get checked too. For each
example:

- no 500 (the test client re-raises any exception);
- when the form is refused (400, or the page again with its errors marked),
  nothing was saved: no row count of the project's tables changed;
- the script text never comes back unescaped.

Each example runs in a savepoint that is rolled back, so examples do not see
each other's rows. Forms of allauth and the Django admin are theirs, not ours.
"""

import os

import lxml.html
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_permission_matrix import MATRIX, world  # noqa: F401  (world is a fixture)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))  # the issue asks for at least 200
SCRIPT = "<script>alert('zpp')</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE members_user; --",
    "1 OR 1=1",
    "Robert'); DELETE FROM marketplace_assignment;--",
    "\x00\x01\x02\x1b[31m",
    "\u202eevil\u202c",
    "9" * 40,
    "-9" * 20,
    "1e309",
    "NaN",
    "Infinity",
    "-0.0001",
    "0,25",
    "2026-02-30",
    "31-12-9999",
    "0000-00-00",
    "../../etc/passwd",
    "a" * 100_000,
    "",
    " ",
    "true",
    "[]",
    "{}",
    "%s%s%s%n",
    "😀" * 300,
]
PROJECT_APPS = ("members", "marketplace", "training", "invoicing", "matching")
PREFERRED_PERSONAS = (
    "member_a", "coordinator_a", "hr_a", "training_coordinator", "programme_manager", "admin_user",
)
SKIP_ACTION_PREFIXES = ("/account/", "/beheer/", "/i18n/")
# How a page says "not accepted": the form errors of includes/form_fields.html,
# Django's error lists, an error message, a field marked invalid.
REFUSED_MARKERS = ('class="form-errors"', "field--error", "errorlist", "message--error", 'aria-invalid="true"')


def _value_strategy(options: list[str]):
    parts = [
        st.sampled_from(HOSTILE),
        st.text(max_size=300),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.dates().map(lambda d: d.isoformat()),
    ]
    if options:
        parts.append(st.sampled_from(options))
    return st.one_of(*parts)


def _forms(html: str, page_url: str) -> list[dict]:
    """The forms on a page: action, method, and per field name its options
    (empty for free input), plus hidden values to keep (csrf)."""
    doc = lxml.html.fromstring(html)
    found = []
    for form in doc.forms:
        action = form.get("action") or page_url
        if action.startswith(SKIP_ACTION_PREFIXES) or action.startswith("http"):
            continue
        fields, hidden, files = {}, {}, []
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = (element.get("type") or "").lower()
            if kind == "hidden":
                hidden[name] = element.get("value", "")
            elif kind == "file":
                files.append(name)
            elif element.tag == "select":
                fields.setdefault(name, []).extend(o for o in element.value_options)
            elif kind in ("checkbox", "radio"):
                fields.setdefault(name, []).append(element.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                fields.setdefault(name, [])
        found.append({
            "action": action, "method": (form.method or "GET").upper(),
            "fields": fields, "hidden": hidden, "files": files,
        })
    return found


def _row_counts() -> dict[str, int]:
    tables = [m._meta.db_table for a in PROJECT_APPS if apps.is_installed(a) for m in apps.get_app_config(a).get_models()]
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _fuzz_targets():
    """The matrix's GET pages (each fuzzes the forms it shows)."""
    return sorted(name for name, row in MATRIX.items() if row.method == "get")


@pytest.mark.parametrize("url_name", _fuzz_targets())
def test_every_form_survives_hostile_input(url_name, world, client_for):  # noqa: F811
    row = MATRIX[url_name]
    persona = next(
        (p for p in PREFERRED_PERSONAS if row.status_for(p) == 200),
        None,
    )
    if persona is None:
        pytest.skip("nobody gets this page with 200")
    client = client_for(world[persona])
    url = reverse(url_name, kwargs=row.kwargs(world))
    page = client.get(url)
    assert page.status_code == 200
    if "text/html" not in page.get("Content-Type", ""):
        pytest.skip("not an HTML page")
    forms = _forms(page.content.decode(), url)
    if not forms:
        pytest.skip("no form on this page")

    for form in forms:
        field_names = sorted(form["fields"])
        strategy = st.fixed_dictionaries({name: _value_strategy(form["fields"][name]) for name in field_names})

        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                   HealthCheck.data_too_large],
        )
        @given(data=strategy, file_bytes=st.binary(max_size=2048))
        def fuzz(data, file_bytes):
            payload = {**form["hidden"], **data}
            with transaction.atomic():
                before = _row_counts()
                if form["method"] == "POST":
                    files = {}
                    for name in form["files"]:
                        files[name] = SimpleUploadedFile("upload.pdf", file_bytes, content_type="application/pdf")
                    response = client.post(form["action"], {**payload, **files})
                else:
                    response = client.get(form["action"], payload)
                assert response.status_code != 500
                body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
                assert SCRIPT not in body, f"unescaped script on {form['action']}"
                refused = response.status_code == 400 or (
                    response.status_code == 200 and any(marker in body for marker in REFUSED_MARKERS)
                )
                if form["method"] == "POST" and refused:
                    changed = {t: (before[t], n) for t, n in _row_counts().items() if before[t] != n}
                    assert not changed, f"{form['action']} refused the form but saved {changed}"
                transaction.set_rollback(True)

        fuzz()
