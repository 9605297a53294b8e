"""Log-in in one or two steps, and a staff member's own TOTP device.

Step one is Django's password form (django-axes counts its failures). A staff member with a
confirmed TOTP device — or everyone, with RUSMIDDEL_REQUIRE_OTP=1 — is not logged in yet: the
user is held in the session as *pending* and step two (`/log-ind/kode/`) asks for the code
(enrolling a device first where one is required and missing). Only then does `login()` run, so
no session is ever authenticated on the password alone.
"""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from rusmiddel.accounts import security
from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases.scoping import staff_of

PENDING = "rusmiddel_login_pending"  # {"user", "backend", "next", "at"} between the two steps
PENDING_SECONDS = 300


def landing_url(user) -> str:
    """Where a staff member lands after logging in (when the log-in names no page to go
    back to): the day's work. Whoever reads cases lands on Mine sager, the administrator (who
    reads none) on Administration, a user without a role on the front page."""
    staff = staff_of(user)
    if staff is None:
        return reverse("web:home")
    if staff.role == Role.ADMINISTRATOR:
        return reverse("web:admin_home")
    return reverse("web:caseload" if may(staff.role, Action.CASE_READ) else "web:home")


class StaffLoginView(LoginView):
    """The password step; hands over to the code step when the user needs one."""

    landing_user = None  # the user whose password was right (set by form_valid)

    def get_default_redirect_url(self) -> str:
        # the user of the form: with a code step to come, no one is logged in yet
        return landing_url(self.landing_user)

    def form_valid(self, form):
        user = form.get_user()
        self.landing_user = user
        if not security.otp_required_for(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("login_otp")


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def login_otp(request: HttpRequest) -> HttpResponse:
    """The code step: verify the TOTP code (or enrol a device where one is required)."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("login")
    device = security.confirmed_device(user)
    enrolling = device is None  # only when RUSMIDDEL_REQUIRE_OTP=1
    if enrolling:
        device = security.unconfirmed_device(user)
    error = None
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return security.lockout_response(request, credentials=credentials)
        if security.otp_check(request, user=user, device=device, code=request.POST.get("otp")):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            del request.session[PENDING]
            user.otp_device = device  # django-otp marks the new session as verified
            auth.login(request, user, backend=pending["backend"])
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = landing_url(user)
            return redirect(target)
        if getattr(request, "axes_locked_out", False):
            return security.lockout_response(request, credentials=credentials)
        error = _("Koden er forkert eller allerede brugt. Prøv med den næste kode.")
    context = {"error": error, "enrolling": enrolling}
    if enrolling:
        context["provisioning"] = security.otp_provisioning(device)
    return render(request, "registration/login_otp.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def otp_device(request: HttpRequest) -> HttpResponse:
    """A staff member's own second factor: enrol (secret, URI and QR code; confirm with a code)
    or remove it (with a current code; not while RUSMIDDEL_REQUIRE_OTP=1)."""
    user = request.user
    device = security.confirmed_device(user)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        code = request.POST.get("otp", "")
        if action == "confirm" and device is None:
            new = security.unconfirmed_device(user)
            if security.otp_check(request, user=user, device=new, code=code):
                new.confirmed = True
                new.save(update_fields=["confirmed"])
                otp_login(request, new)
                messages.success(request, _("To-trinsbekræftelse er slået til."))
                return redirect("web:otp")
            error = _("Koden er forkert eller allerede brugt. Prøv med den næste kode.")
        elif action == "remove" and device is not None and not settings.RUSMIDDEL_REQUIRE_OTP:
            if security.otp_check(request, user=user, device=device, code=code):
                user.totpdevice_set.all().delete()
                messages.success(request, _("To-trinsbekræftelse er slået fra."))
                return redirect("web:otp")
            error = _("Koden er forkert eller allerede brugt. Prøv med den næste kode.")
        else:
            return redirect("web:otp")
    context = {
        "device": device,
        "verified": request.user.is_verified(),
        "required": settings.RUSMIDDEL_REQUIRE_OTP,
        "error": error,
    }
    if device is None:
        context["provisioning"] = security.otp_provisioning(security.unconfirmed_device(user))
    return render(request, "web/account/otp.html", context, status=422 if error else 200)


urlpatterns = [path("konto/to-trin/", otp_device, name="otp")]
