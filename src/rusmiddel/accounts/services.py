"""Tenants and staff: municipalities and providers come from the standard files; staff's API
tokens and sessions."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.standards import registry

from .models import ApiToken, Municipality, Provider, Role, StaffProfile, TokenRevocation


@transaction.atomic
def tenants_sync(*, on: dt.date) -> list[Municipality]:
    """A Municipality for every standard in force on `on`, with the providers it names."""
    result = []
    for slug in registry.municipalities():
        standard = registry.load(slug, on).standard
        municipality, _ = Municipality.objects.update_or_create(
            slug=slug, defaults={"name": standard.municipality.name}
        )
        for p in standard.providers:
            provider, _ = Provider.objects.update_or_create(
                slug=p.id, defaults={"name": p.name, "kind": p.kind}
            )
            provider.municipalities.add(municipality)
        result.append(municipality)
    return result


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,  # None: no password to log in with (yet)
    municipality: Municipality,
    role: str,
    provider: Provider | None = None,
    full_name: str = "",
    actor=None,
):
    """A staff user with one role in one municipality (provider staff: at one provider of
    that municipality); audited, with `actor` (None: the system, e.g. the CLI) as the author."""
    if role not in Role.values:
        raise ValueError(f"role: unknown role '{role}' (one of {', '.join(Role.values)})")
    if provider is not None and not provider.municipalities.filter(pk=municipality.pk).exists():
        raise ValueError(f"provider: '{provider.slug}' is not a provider of {municipality.slug}")
    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first, last_name=last
    )
    profile = StaffProfile.objects.create(
        user=user, municipality=municipality, role=role, provider=provider
    )
    audit_record(
        actor=actor,
        event=Event.STAFF_CREATED,
        write=True,
        obj=profile,
        municipality_id=municipality.pk,
        new={"username": username, "role": role, "provider": provider.slug if provider else None},
    )
    return user


@transaction.atomic
def user_set_active(*, actor, user, active: bool):
    """Let a staff user log in again, or not (users are never deleted: the log names them).

    Either way every API token of the user is revoked and every session ended, so nothing
    from before comes back with a reactivation. Only an administrator of the user's
    municipality may; nobody deactivates themself."""
    staff = getattr(actor, "staff", None)
    target = getattr(user, "staff", None)
    if staff is None or staff.role != Role.ADMINISTRATOR:
        raise PermissionError("only an administrator manages users")
    if target is None or target.municipality_id != staff.municipality_id:
        raise LookupError("no such user in this municipality")
    if user.pk == actor.pk and not active:
        raise ValueError("user: you cannot deactivate yourself")
    old = user.is_active
    if old != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        reason = TokenRevocation.REACTIVATED if active else TokenRevocation.DEACTIVATED
        ended = _user_access_end(user=user, reason=reason)
        audit_record(
            actor=actor,
            event=Event.STAFF_ACTIVE_CHANGED,
            write=True,
            obj=target,
            old={"username": user.get_username(), "active": old},
            new={"username": user.get_username(), "active": active, **ended},
        )
    return user


def _user_access_end(*, user, reason: TokenRevocation) -> dict[str, int]:
    """Revoke the user's live tokens and delete their sessions (kept in the database, Django's
    default: a session names its user only inside its encoded data, so each live one is read;
    there are as many as staff logged in today)."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return {"tokens_revoked": tokens, "sessions_ended": len(theirs)}


def api_token_issue(*, user, name: str = "api") -> tuple[ApiToken, str]:
    """A new bearer token for `user`, valid for RUSMIDDEL_API_TOKEN_HOURS; the plain key is
    returned once and never stored (only its hash)."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_of(key),
        name=name,
        expires_at=timezone.now() + dt.timedelta(hours=settings.RUSMIDDEL_API_TOKEN_HOURS),
        auth_hash=user.get_session_auth_hash(),
    )
    return token, key


def api_token_check(*, key: str) -> ApiToken | None:
    """The live token of this key, with its user, or None: unknown, expired, revoked, its
    user inactive, or issued before the user's password last changed. The last is recorded as
    a revocation when first seen (a password changed by `manage changepassword` or anywhere
    else passes no service of ours; the token was bound to the old password all along)."""
    token = (
        ApiToken.objects.select_related("user__staff")
        .filter(key_hash=ApiToken.hash_of(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    if not constant_time_compare(token.auth_hash, token.user.get_session_auth_hash()):
        api_token_revoke(token=token, reason=TokenRevocation.PASSWORD_CHANGED)
        return None
    return token


def api_token_revoke(*, token: ApiToken, reason: TokenRevocation) -> None:
    """Revoke one token; it stays, with when and why, and is refused from now on."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
