from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "ardesk.imports"
    label = "imports"
