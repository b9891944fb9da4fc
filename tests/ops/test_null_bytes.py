"""NUL characters can never be meant and PostgreSQL cannot store or compare
them: refused with 400 before any view reads them (RejectNullBytesMiddleware)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_query_is_refused_with_400(client_for, member_a):
    response = client_for(member_a).get("/opdrachten/", {"q": "beleid\x00"})
    assert response.status_code == 400


def test_a_nul_character_in_a_posted_field_is_refused_with_400(client_for, member_a):
    response = client_for(member_a).post("/mijn-gegevens/verwijderen/", {"reason": "a\x00b"})
    assert response.status_code == 400


def test_ordinary_input_passes(client_for, member_a):
    assert client_for(member_a).get("/opdrachten/", {"q": "beleid"}).status_code == 200
