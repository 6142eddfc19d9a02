"""Every write of the comms app: sending, receiving and filing mail, and the message templates."""

from ardesk.comms.services.inbound import MailTooLarge, file_unmatched, ingest_email, receive_email
from ardesk.comms.services.outbound import SendFailed, record_sent_message, send_dispute_message, template_for
from ardesk.comms.services.templates import update_template

__all__ = ["MailTooLarge", "SendFailed", "file_unmatched", "ingest_email", "receive_email", "record_sent_message",
           "send_dispute_message", "template_for", "update_template"]
