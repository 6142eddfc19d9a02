from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ardesk.ledger"
    label = "ledger"
