from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rusmiddel.web"
    label = "web"
    verbose_name = "Rusmiddel – brugerflade"
