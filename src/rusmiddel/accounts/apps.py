from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rusmiddel.accounts"
    label = "accounts"
    verbose_name = "Kommuner, leverandører og brugere"
