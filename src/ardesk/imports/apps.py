from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "ardesk.imports"
    label = "imports"

    def ready(self) -> None:
        from ardesk.identity.roles import Permission
        from ardesk.web import nav

        nav.register(nav.NavItem("imports", "Imports", ("imports:upload",), permission=Permission.IMPORT, order=90))
