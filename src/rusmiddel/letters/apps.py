from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "rusmiddel.letters"
    label = "letters"
    verbose_name = "Breve og udbakke"
