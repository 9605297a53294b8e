from django.urls import include, path

urlpatterns = [path("", include("rusmiddel.web.urls"))]
