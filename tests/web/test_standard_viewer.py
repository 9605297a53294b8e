"""The standard viewer pages, through Django's test client on the configured database."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_both_municipalities(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gentofte Kommune" in body and "Helsingør Kommune" in body


@pytest.mark.parametrize(
    ("municipality", "offer_title"),
    [
        ("gentofte", "Anonym ambulant behandling"),
        ("helsingoer", "Kokain- og Hashstop-gruppe"),
    ],
)
def test_standard_page_renders_offers_and_complaint_guidance(client, municipality, offer_title):
    response = client.get(f"/standarder/{municipality}/?on=2026-11-24")
    assert response.status_code == 200
    body = response.content.decode()
    assert offer_title in body
    assert "Klagevejledning" in body
    assert "<table>" in body


def test_unknown_municipality_is_404(client):
    assert client.get("/standarder/odense/").status_code == 404


def test_bad_date_is_explained_in_danish(client):
    response = client.get("/standarder/gentofte/?on=2026-02-30")
    assert response.status_code == 400
    assert "ikke gyldig" in response.content.decode()


def test_date_before_the_first_version_is_404_with_message(client):
    response = client.get("/standarder/gentofte/?on=2019-01-01")
    assert response.status_code == 404
    assert "2024-01-01" in response.content.decode()


def test_health_checks_the_database(client, django_db_blocker):
    response = client.get("/sundhed/")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_migrations_apply_and_users_persist(django_user_model):
    user = django_user_model.objects.create_user("sagsbehandler", password="hemmelig-kode-42")
    assert django_user_model.objects.get(pk=user.pk).check_password("hemmelig-kode-42")
