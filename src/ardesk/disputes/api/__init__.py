"""The disputes API under /api/v1/disputes: one router, its routes split by topic in this package.

Each topic module defines its own `router`; it is mounted here with an empty prefix, so every
topic's paths start at /disputes.
"""

from __future__ import annotations

from ninja import Router

router = Router()

# Topic routers (one line each):
router.add_router("", "ardesk.comms.api.dispute_router", tags=["mail"])
router.add_router("", "ardesk.disputes.api.disputes.router")
router.add_router("", "ardesk.disputes.api.handling.router")
router.add_router("", "ardesk.disputes.api.resolution.router")
router.add_router("", "ardesk.disputes.api.catalogues.router")
router.add_router("", "ardesk.disputes.api.documents.router")
router.add_router("", "ardesk.disputes.api.prevention.router", tags=["prevention"])
router.add_router("", "ardesk.disputes.api.rules.router", tags=["escalation"])
