from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "rusmiddel.groups"
    label = "treatment_groups"
    verbose_name = "Grupper"
