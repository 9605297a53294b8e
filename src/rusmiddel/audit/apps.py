from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rusmiddel.audit"
    label = "audit"
    verbose_name = "Log over adgang til personoplysninger"
