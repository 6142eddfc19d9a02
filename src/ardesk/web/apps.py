from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ardesk.web"
    label = "web"
