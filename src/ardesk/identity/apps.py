from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "ardesk.identity"
    label = "identity"
