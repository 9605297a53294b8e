from django.urls import include, path

from rusmiddel.api.api import api
from rusmiddel.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/", api.urls),
    *auth_urlpatterns,
    path("", include("rusmiddel.web.urls")),
]
