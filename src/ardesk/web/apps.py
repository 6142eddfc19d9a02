from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ardesk.web"
    label = "web"

    def ready(self) -> None:
        # Registers the audit log as the first source of the account timeline.
        from ardesk.web import queries  # noqa: F401
