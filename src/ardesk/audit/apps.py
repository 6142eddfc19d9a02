from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ardesk.audit"
    label = "audit"
