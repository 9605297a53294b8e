from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "rusmiddel.capacity"
    label = "capacity"
    verbose_name = "Kapacitet og ventelister"
