"""Celery app. With no CELERY_BROKER_URL tasks run in-process (eagerly), so one machine needs nothing more."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ardesk.settings")

app = Celery("ardesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
