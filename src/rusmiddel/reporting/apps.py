from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "rusmiddel.reporting"
    label = "reporting"
    verbose_name = "Indberetning og statistik"
