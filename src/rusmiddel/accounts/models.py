"""Tenants (municipalities), providers and staff with one role each.

Every row of personal data belongs to one municipality; staff see only their municipality's
cases and only what their role allows (see `permissions`). Provider staff see only the cases
referred to their provider.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Municipality(models.Model):
    """A tenant: one municipality whose standard file is `standards/data/<slug>/`."""

    slug = models.SlugField(unique=True, help_text="the standard's municipality id")
    name = models.CharField(max_length=100)
    case_sequence = models.PositiveIntegerField(default=0)  # last case number handed out
    # anonymous cases count apart, so gaps in the named series reveal nothing
    anonymous_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = "kommune"
        verbose_name_plural = "kommuner"

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    OWN = "own", gettext_lazy("Kommunens eget tilbud")
    EXTERNAL = "external", gettext_lazy("Ekstern leverandør")
    PRIVATE = "private", gettext_lazy("Privat leverandør")


class Provider(models.Model):
    """A treatment site (leverandør): the municipality's own centre or an external provider."""

    slug = models.SlugField(unique=True, help_text="the standard's provider id")
    name = models.CharField(max_length=200)
    # own: municipal staff may see its anonymous cases; external/private: only its own staff
    kind = models.CharField(max_length=10, choices=ProviderKind.choices, default="external")
    municipalities = models.ManyToManyField(Municipality, related_name="providers")

    class Meta:
        ordering = ["name"]
        verbose_name = "leverandør"
        verbose_name_plural = "leverandører"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", gettext_lazy("Sagsbehandler")
    THERAPIST = "therapist", gettext_lazy("Behandler")
    SUBSTANCE_CONSULTANT = "substance_consultant", gettext_lazy("Rusmiddelkonsulent")
    HEAD_OF_UNIT = "head_of_unit", gettext_lazy("Leder")
    ADMINISTRATOR = "administrator", gettext_lazy("Systemadministrator")
    PROVIDER_STAFF = "provider_staff", gettext_lazy("Medarbejder hos leverandør")


class StaffProfile(models.Model):
    """A user's place of work and role; a user without one sees nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=30, choices=Role.choices)
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )  # set for provider staff only

    class Meta:
        verbose_name = "medarbejder"
        verbose_name_plural = "medarbejdere"
        constraints = [
            models.CheckConstraint(
                name="provider_staff_has_provider",
                condition=(models.Q(role="provider_staff") & models.Q(provider__isnull=False))
                | (~models.Q(role="provider_staff") & models.Q(provider__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()}, {self.municipality})"


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenRevocation(models.TextChoices):
    """Why a token was revoked."""

    LOGOUT = "logout", gettext_lazy("Logget ud")
    DEACTIVATED = "deactivated", gettext_lazy("Bruger deaktiveret")
    REACTIVATED = "reactivated", gettext_lazy("Bruger aktiveret igen")
    PASSWORD_CHANGED = "password_changed", gettext_lazy("Adgangskode ændret")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is stored. A token is refused once it
    has expired, is revoked, its user is inactive, or the user's password has changed since it
    was issued. Revoked tokens are kept (with when and why) so the trail stands."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()  # issued + RUSMIDDEL_API_TOKEN_HOURS
    # the user's session auth hash when issued (an HMAC of the password hash, as Django keeps
    # in a session): a password change ends the token as it ends the sessions
    auth_hash = models.CharField(max_length=128)
    revoked_at = models.DateTimeField(null=True, blank=True)  # None: not revoked
    revoked_reason = models.CharField(max_length=20, choices=TokenRevocation.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked")]

    @staticmethod
    def hash_of(key: str) -> str:
        return _token_hash(key)
