from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ardesk.insights"
    label = "insights"
