"""Dutch first, English second: the site answers in Dutch by default, the
language switch works, and the Dutch catalogue is complete and compiled."""

import ast
import gettext
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PO_PATH = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _require_catalogue():
    if PO_PATH.exists():
        return
    if IN_CI:
        pytest.fail(f"{PO_PATH} is missing: the Dutch translation must be in the repository.")
    pytest.skip(f"{PO_PATH} does not exist yet (fails under CI=true)")


# --- The pages --------------------------------------------------------------


def test_home_is_dutch_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Inloggen" in html
    assert "Voor elkaar werken in heel Brabant" in html
    assert "Work for each other across Brabant" not in html


def test_dutch_even_when_the_browser_asks_for_english(client):
    """English is a choice made with the switch, not the browser's default
    (zppbrabant.middleware.DutchByDefaultMiddleware)."""
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()


def test_switch_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Work for each other across Brabant" in html
    assert "Voor elkaar werken in heel Brabant" not in html

    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="nl">' in html
    assert "Voor elkaar werken in heel Brabant" in html


def test_logged_in_pages_are_dutch_too(client_for, member_a):
    response = client_for(member_a).get(reverse("members:release_request"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Request a release" not in html  # the English msgid must not leak through


# --- The catalogue ----------------------------------------------------------


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr[n], flags and
    the line an entry starts on. Obsolete (#~) entries are left out."""
    entries, entry, key = [], None, None

    def finish():
        if entry and "msgid" in entry:
            for k in list(entry):
                if isinstance(entry[k], list) and k not in ("flags",):
                    entry[k] = _unquote(entry[k])
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry and "msgid" in entry and key != "comment":
                finish()
                entry = None
            if entry is None:
                entry = {"flags": [], "line": number}
            key = "comment"
            if line.startswith("#,"):
                entry["flags"] += [f.strip() for f in line[2:].split(",")]
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            keyword, value = match.groups()
            if keyword in ("msgctxt", "msgid") and entry and "msgid" in entry:
                finish()
                entry = None
            if entry is None:
                entry = {"flags": [], "line": number}
            key = keyword
            entry[key] = [value]
        elif line.startswith('"') and entry is not None and key:
            entry[key].append(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return [e for e in entries if e["msgid"] != ""]  # drop the header


def _translations(entry) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


@pytest.fixture(scope="module")
def po_entries():
    _require_catalogue()
    entries = parse_po(PO_PATH)
    assert entries, f"{PO_PATH} has no messages"
    return entries


def test_every_message_is_translated(po_entries):
    untranslated = [
        f"line {e['line']}: {e['msgid']!r}" for e in po_entries
        if not all(t.strip() for t in _translations(e))
    ]
    assert not untranslated, "untranslated in django.po:\n" + "\n".join(untranslated)


def test_no_message_is_fuzzy(po_entries):
    fuzzy = [f"line {e['line']}: {e['msgid']!r}" for e in po_entries if "fuzzy" in e["flags"]]
    assert not fuzzy, "fuzzy in django.po (Django ignores them):\n" + "\n".join(fuzzy)


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def test_placeholders_survive_translation(po_entries):
    """A lost or renamed %(name)s would crash the page at run time."""
    broken = []
    for e in po_entries:
        if "python-format" not in e["flags"]:
            continue
        wanted = set(PLACEHOLDER.findall(e["msgid"]))
        for translation in _translations(e):
            if set(PLACEHOLDER.findall(translation)) - wanted or (
                "msgid_plural" not in e and set(PLACEHOLDER.findall(translation)) != wanted
            ):
                broken.append(f"line {e['line']}: {e['msgid']!r} → {translation!r}")
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """django.mo is what Django reads: it must be compiled from this .po."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `manage.py compilemessages`"
    with MO_PATH.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in po_entries:
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            ok = catalogue.get((msgid, 0)) == e.get("msgstr[0]")
        else:
            ok = catalogue.get(msgid) == e.get("msgstr")
        if not ok:
            stale.append(f"line {e['line']}: {e['msgid']!r}")
    assert not stale, "django.mo is out of date for:\n" + "\n".join(stale[:20])


def test_po_reader_finds_fuzzy_and_untranslated(tmp_path):
    """The checks above are only as good as the reader: prove it sees both."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hallo %(name)s"\n\n'
        '#: a.py:2\nmsgid ""\n"Two "\n"lines"\nmsgstr ""\n\n'
        'msgid "One day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "Eén dag"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr "Oud"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [e["msgid"] for e in entries] == ["Hello %(name)s", "Two lines", "One day"]
    assert "fuzzy" in entries[0]["flags"]
    assert entries[1]["msgstr"] == ""
    assert _translations(entries[2]) == ["Eén dag", ""]
