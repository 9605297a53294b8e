from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "rusmiddel.outcomes"
    label = "outcomes"
    verbose_name = "Effektmåling"
