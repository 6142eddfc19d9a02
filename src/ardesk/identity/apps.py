from django.apps import AppConfig

from ardesk.identity.roles import Permission
from ardesk.web import nav


class IdentityConfig(AppConfig):
    name = "ardesk.identity"
    label = "identity"

    def ready(self) -> None:
        # The header links to the account pages for everyone and to administration for administrators.
        nav.register(nav.NavItem("account", "Account", ("identity:account",), permission=None, order=90))
        nav.register(nav.NavItem("administration", "Administration", ("identity:user_list",),
                                 permission=Permission.MANAGE_USERS, order=95))
