from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "ardesk.disputes"
    label = "disputes"
    verbose_name = "Disputes and deductions"

    def ready(self) -> None:
        from ardesk.disputes import account_timeline, notifications, sku_split  # noqa: F401  (receivers, timeline)
