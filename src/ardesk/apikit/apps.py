from django.apps import AppConfig


class ApikitConfig(AppConfig):
    name = "ardesk.apikit"
    label = "apikit"
