from django.urls import include, path

from rusmiddel.api.api import api
from rusmiddel.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the footer's switch
    *auth_urlpatterns,
    path("", include("rusmiddel.web.urls")),
]
