from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "ardesk.comms"
    label = "comms"
    verbose_name = "Mail"

    def ready(self) -> None:
        from ardesk.comms import hooks

        hooks.install()
