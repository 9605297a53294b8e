"""Administration: the municipality's administrator manages users and checks standard files;
everyone else is refused, and an administrator sees only their own municipality."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import staff
from rusmiddel.accounts.models import Provider, StaffProfile
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.standards.registry import PACKAGE_DATA

HELSINGOER = PACKAGE_DATA / "helsingoer" / "2024-01-01.yaml"
User = get_user_model()


def _new_user(**overrides):
    data = {
        "username": "ny_medarbejder",
        "full_name": "Lone Nielsen",
        "role": "provider_staff",
        "provider": str(Provider.objects.get(slug="helsingoer_rusmiddelcenter").pk),
        "password1": "Grøn-Hest-Sommer-42",
        "password2": "Grøn-Hest-Sommer-42",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_an_administrator_creates_provider_staff_and_it_is_audited(tenants, client):
    admin = staff("administrator", "helsingoer")
    client.force_login(admin)
    response = client.post("/administration/brugere/", _new_user())
    assert response.status_code == 302
    profile = StaffProfile.objects.select_related("user", "provider").get(
        user__username="ny_medarbejder"
    )
    assert profile.role == "provider_staff"
    assert profile.provider.slug == "helsingoer_rusmiddelcenter"
    assert profile.municipality.slug == "helsingoer"
    assert profile.user.get_full_name() == "Lone Nielsen"
    assert profile.user.check_password("Grøn-Hest-Sommer-42")
    entry = AuditEntry.objects.get(event=Event.STAFF_CREATED)
    assert entry.actor == admin.username and entry.write
    assert entry.municipality_id == tenants["helsingoer"].pk
    assert entry.new["username"] == "ny_medarbejder"

    page = client.get("/administration/brugere/").content.decode()
    assert "Brugeren ny_medarbejder er oprettet." in page
    assert "Medarbejder hos leverandør" in page and "Helsingør Rusmiddelcenter" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "123", "password2": "123"}, "password1", "Denne adgangskode er for kort"),
        ({"password2": "noget-andet-99"}, "password2", "De to adgangskoder er ikke ens."),
        ({"username": "taken"}, "username", "Brugernavnet &#x27;taken&#x27; er optaget"),
        ({"provider": "kabs"}, "provider", "Vælg en af kommunens leverandører."),
        ({"provider": ""}, "provider", "Vælg den leverandør, medarbejderen arbejder hos."),
    ],
)
def test_a_bad_form_names_the_field_and_creates_nothing(tenants, client, overrides, field, message):
    User.objects.create_user(username="taken", password="x")
    client.force_login(staff("administrator", "helsingoer"))
    if overrides.get("provider") == "kabs":  # a provider of Gentofte, not of Helsingør
        overrides = {"provider": str(Provider.objects.get(slug="kabs").pk)}
    users_before = User.objects.count()
    response = client.post("/administration/brugere/", _new_user(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'aria-describedby="id_{field}_error"' in html or f"id_{field}_error" in html
    assert 'aria-invalid="true"' in html
    assert User.objects.count() == users_before
    assert not AuditEntry.objects.filter(event=Event.STAFF_CREATED).exists()
    assert 'value="Lone Nielsen"' in html  # what was typed is kept …
    assert "Grøn-Hest-Sommer-42" not in html  # … except the passwords


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "head_of_unit", "provider_staff"])
def test_other_roles_are_refused(tenants, client, role):
    provider = "helsingoer_rusmiddelcenter" if role == "provider_staff" else None
    client.force_login(staff(role, "helsingoer", provider))
    for path in ["", "brugere/", "leverandoerer/", "standard/"]:
        assert client.get(f"/administration/{path}").status_code == 403
    assert client.post("/administration/brugere/", _new_user()).status_code == 403
    assert not User.objects.filter(username="ny_medarbejder").exists()


@pytest.mark.django_db
def test_strangers_are_sent_to_log_in(tenants, client):
    assert client.get("/administration/brugere/").status_code == 302


@pytest.mark.django_db
def test_an_administrator_sees_only_their_own_municipality(tenants, client):
    therapist = staff("therapist", "helsingoer")
    gentofte_admin = staff("administrator", "gentofte")
    client.force_login(gentofte_admin)
    page = client.get("/administration/brugere/").content.decode()
    assert gentofte_admin.username in page
    assert therapist.username not in page
    response = client.post(f"/administration/brugere/{therapist.pk}/aktiv/", {"active": "0"})
    assert response.status_code == 404
    therapist.refresh_from_db()
    assert therapist.is_active


@pytest.mark.django_db
def test_deactivation_is_audited_and_nobody_deactivates_themself(tenants, client):
    admin = staff("administrator", "helsingoer")
    therapist = staff("therapist", "helsingoer")
    client.force_login(admin)
    response = client.post(f"/administration/brugere/{therapist.pk}/aktiv/", {"active": "0"})
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert not therapist.is_active
    entry = AuditEntry.objects.get(event=Event.STAFF_ACTIVE_CHANGED)
    assert entry.actor == admin.username and entry.object_type == "StaffProfile"
    assert entry.old["active"] is True and entry.new["active"] is False
    assert not client.login(username=therapist.username, password="test-password-1")

    client.force_login(admin)
    client.post(f"/administration/brugere/{admin.pk}/aktiv/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active
    page = client.get("/administration/brugere/").content.decode()
    assert "Du kan ikke deaktivere dig selv." in page
    assert AuditEntry.objects.filter(event=Event.STAFF_ACTIVE_CHANGED).count() == 1


@pytest.mark.django_db
def test_providers_are_shown_with_their_offers_and_read_only(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    page = client.get("/administration/leverandoerer/").content.decode()
    assert "Helsingør Rusmiddelcenter" in page and "Kommunens eget tilbud" in page
    assert "KABS" not in page  # Gentofte's provider
    assert "kan ikke ændres her" in page
    assert "<form" not in page.split('<main id="main-content"')[1].split("</main>")[0]


@pytest.mark.django_db
def test_standard_page_lists_versions_and_accepts_the_real_file(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    page = client.get("/administration/standard/").content.decode()
    assert "Gælder i dag" in page and "2024-01-01+sha256:" in page
    assert "/standarder/helsingoer/" in page
    upload = SimpleUploadedFile("2024-01-01.yaml", HELSINGOER.read_bytes())
    response = client.post("/administration/standard/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Filen er gyldig" in html and "Helsingør Kommune" in html


@pytest.mark.django_db
def test_standard_check_names_line_and_field_of_a_broken_copy(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    lines = HELSINGOER.read_text(encoding="utf-8").splitlines(keepends=True)
    municipality_line = lines.index("municipality:\n") + 1
    broken = [line for line in lines if line != "  name: Helsingør Kommune\n"]
    assert len(broken) == len(lines) - 1
    upload = SimpleUploadedFile("2024-01-01.yaml", "".join(broken).encode())
    html = client.post("/administration/standard/", {"file": upload}).content.decode()
    assert "Filen er ikke gyldig" in html
    assert (
        f"2024-01-01.yaml:{municipality_line}: municipality.name: required field is missing" in html
    )
    assert "/tmp" not in html  # the temporary file is not shown


@pytest.mark.django_db
def test_standard_check_refuses_a_file_over_1_mb(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    upload = SimpleUploadedFile("stor.yaml", b"#" * (1024 * 1024 + 1))
    response = client.post("/administration/standard/", {"file": upload})
    assert response.status_code == 400
    assert "Filen er større end 1 MB." in response.content.decode()


@pytest.mark.django_db
def test_user_list_query_count_does_not_grow_with_users(tenants, client):
    admin = staff("administrator", "helsingoer")
    client.force_login(admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/administration/brugere/").status_code == 200
        return len(ctx.captured_queries)

    staff("therapist", "helsingoer")
    few = queries()
    for _ in range(8):
        staff("provider_staff", "helsingoer", "helsingoer_rusmiddelcenter")
    assert StaffProfile.objects.filter(municipality__slug="helsingoer").count() == 10
    assert queries() == few
