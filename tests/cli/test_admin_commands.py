"""`rusmiddel tenants sync` and `rusmiddel staff create`: setting up a production install."""

import pytest

from rusmiddel.accounts.models import Municipality, StaffProfile
from rusmiddel.cli import main


@pytest.mark.django_db
def test_tenants_come_from_the_standard_files_and_staff_get_one_role(monkeypatch, capsys):
    assert main(["tenants", "sync"]) == 0
    assert set(Municipality.objects.values_list("slug", flat=True)) == {"gentofte", "helsingoer"}
    assert Municipality.objects.get(slug="gentofte").providers.filter(slug="kabs").exists()

    monkeypatch.setenv("RUSMIDDEL_NEW_PASSWORD", "a-long-password-1")
    args = ["staff", "create", "kabs.anna", "--municipality", "gentofte"]
    assert main([*args, "--role", "provider_staff", "--provider", "kabs"]) == 0
    profile = StaffProfile.objects.get(user__username="kabs.anna")
    assert (profile.role, profile.provider.slug) == ("provider_staff", "kabs")
    assert profile.user.check_password("a-long-password-1")

    # Bad input: one line naming the option, exit 2, nothing created
    capsys.readouterr()
    assert main([*args, "--role", "caseworker"]) == 2  # the name is taken
    assert "username" in capsys.readouterr().err
    assert main(["staff", "create", "x", "--municipality", "aarhus", "--role", "caseworker"]) == 2
    assert "--municipality" in capsys.readouterr().err
    assert main(["staff", "create", "y", "--municipality", "gentofte", "--role", "provider_staff"])
    assert "--provider" in capsys.readouterr().err
    assert StaffProfile.objects.count() == 1
