from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "rusmiddel.cases"
    label = "cases"
    verbose_name = "Sager og forløb"
