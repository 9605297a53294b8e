"""Login hardening: the client's address, the lockout answer (django-axes), and the optional
TOTP second factor (django-otp) shared by the web log-in and the API's token endpoint.

Lockout: `RUSMIDDEL_LOGIN_FAILURE_LIMIT` failed attempts (default 5) for one username from
one address lock that pair out for `RUSMIDDEL_LOGIN_COOLOFF_MINUTES` (default 15) — even the
right password is refused meanwhile. A wrong TOTP code counts as a failed attempt too.
"""

from __future__ import annotations

import base64

import segno
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class LockoutBackend(AxesStandaloneBackend):
    """axes' check before the password is tried. Without a request there is no client to
    count (a management command, the test client's `login()`), so nothing is checked: every
    log-in over HTTP — the web form, its code step, the API token — passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_failed(request: HttpRequest, *, username: str | None) -> bool:
    """Count a failed log-in for `username` (None when it could not be read) from the
    request's address, as axes counts a wrong password; True when that pair is now locked
    out."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def form_unread(request: HttpRequest) -> None:
    """The API reads JSON only: give the request an empty form, so recording a failed log-in
    never parses the body as one. axes keeps a failure's form fields (`request.POST`); a body
    sent as `multipart/form-data` without a boundary raised there, and the failure went
    uncounted — a way round the lockout."""
    request.POST = QueryDict()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind a proxy from `RUSMIDDEL_CLIENT_IP_HEADER` (the same header
    the self-service rate limits read), else the connection's own address."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if header and request.META.get(header, "").strip():
        return request.META[header].strip()
    return request.META.get("REMOTE_ADDR")


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "Der har været for mange mislykkede forsøg på at logge ind. Prøv igen om "
        "{minutes} minutter, eller kontakt din systemadministrator."
    ).format(minutes=cooloff_minutes())


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """axes' answer once a username and address are locked out: JSON (429) for the API, the
    log-in page with the Danish message (429) for the web."""
    if request.path.startswith("/api/"):
        error = {"code": "locked_out", "field": None, "message": lockout_message()}
        return JsonResponse({"error": error}, status=429)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/login.html",
        {"locked_out": True, "lockout_message": lockout_message(), "username": username},
        status=429,
    )


def otp_required_for(user) -> bool:
    """Whether this user's log-in needs a TOTP code: always with a confirmed device, and for
    every staff member when `RUSMIDDEL_REQUIRE_OTP=1`."""
    return settings.RUSMIDDEL_REQUIRE_OTP or confirmed_device(user) is not None


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_device(user) -> TOTPDevice:
    """The device being enrolled (made on first use; its secret is shown until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def otp_check(request: HttpRequest, *, user, device: TOTPDevice, code: str) -> bool:
    """Verify a code against the device (django-otp refuses a replayed code and throttles
    guesses). A wrong code is reported to axes as a failed log-in for the username."""
    code = (code or "").strip().replace(" ", "")
    if code.isdigit() and device.verify_token(code):
        return True
    login_failed(request, username=user.get_username())
    return False


def otp_provisioning(device: TOTPDevice) -> dict[str, str]:
    """What the enrolment page shows: the secret as base32 text, the otpauth URI, and the URI
    as a QR code in SVG (segno, rendered here: no script in the browser)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = device.config_url  # otpauth://totp/…, with OTP_TOTP_ISSUER as the issuer
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=False)
    return {"secret": secret, "uri": uri, "svg": svg}
