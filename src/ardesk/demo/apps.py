from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ardesk.demo"
    label = "demo"
