"""ardesk: the desk of an accounts-receivable team."""

from ardesk.celery import app as celery_app

__all__ = ["celery_app"]
