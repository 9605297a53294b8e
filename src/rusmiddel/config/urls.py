from django.urls import include, path

from rusmiddel.api.api import api
from rusmiddel.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the footer's switch
    *auth_urlpatterns,
    path("", include("rusmiddel.web.urls")),
]

# Danish error pages; JSON errors under /api/ (web/errors.py)
handler400 = "rusmiddel.web.errors.bad_request"
handler403 = "rusmiddel.web.errors.permission_denied"
handler404 = "rusmiddel.web.errors.page_not_found"
handler500 = "rusmiddel.web.errors.server_error"
