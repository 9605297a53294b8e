from django.contrib.auth import views as auth_views
from django.urls import path

from . import (
    admin_pages,
    assignment_pages,
    capacity_pages,
    case_pages,
    caseload,
    citizen,
    fit_pages,
    group_admin_pages,
    group_pages,
    intake_pages,
    login_pages,
    region_pages,
    register_pages,
    statistics_pages,
    views,
    waitlist_pages,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("standarder/<slug:municipality>/", views.standard_detail, name="standard"),
    path("log/", views.audit, name="audit"),
    path("sundhed/", views.health, name="health"),
    path("om/", views.about, name="about"),
    *caseload.urlpatterns,
    *intake_pages.urlpatterns,  # before the case pages: /sager/ny/
    *case_pages.urlpatterns,
    *region_pages.urlpatterns,  # the case page's forms for integrated treatment (SUL § 82 c)
    *assignment_pages.urlpatterns,
    *group_pages.urlpatterns,
    *fit_pages.urlpatterns,
    *citizen.urlpatterns,  # the public self-service pages (no login)
    *admin_pages.urlpatterns,
    *group_admin_pages.urlpatterns,
    *capacity_pages.urlpatterns,
    *register_pages.urlpatterns,
    *statistics_pages.urlpatterns,
    *waitlist_pages.urlpatterns,
    *login_pages.urlpatterns,  # a staff member's own TOTP device
]

auth_urlpatterns = [
    path("log-ind/", login_pages.StaffLoginView.as_view(), name="login"),
    path("log-ind/kode/", login_pages.login_otp, name="login_otp"),  # the TOTP step
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
]
