"""Dispute pages, one module per topic: thin views over ardesk.disputes.services and queries."""
