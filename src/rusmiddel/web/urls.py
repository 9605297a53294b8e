from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("standarder/<slug:municipality>/", views.standard_detail, name="standard"),
    path("sundhed/", views.health, name="health"),
]
