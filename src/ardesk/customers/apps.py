from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "ardesk.customers"
    label = "customers"
