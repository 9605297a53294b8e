from django.urls import include, path

from rusmiddel.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("rusmiddel.web.urls")),
]
