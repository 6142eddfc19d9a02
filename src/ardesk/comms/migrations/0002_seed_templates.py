"""Seed the message templates a company starts from (managers reword them on the templates page)."""

from django.db import migrations

_SIGN = "\n\nKind regards\n{{ sender }}\n{{ company }}, accounts receivable"

# code, language, name, subject, body
TEMPLATES = [
    ("acknowledge", "en", "Acknowledge a dispute",
     "We have received your query on {{ invoices|default:'your account' }}",
     "Dear {{ contact.name }},\n\n"
     "thank you for your message. We have opened case {{ dispute.number }} for {{ amount }} "
     "({{ invoices|default:'your account' }}) and will come back to you as soon as we have looked into it. "
     "The amount in question is held back from our reminders meanwhile."
     "{% if note %}\n\n{{ note }}{% endif %}" + _SIGN),
    ("request_documents", "en", "Ask for proof or documents",
     "Documents needed for {{ dispute.number }}",
     "Dear {{ contact.name }},\n\n"
     "to settle case {{ dispute.number }} ({{ amount }}, {{ invoices|default:'your account' }}) we need a few "
     "documents from you, for example the proof of delivery, your purchase order, photos of the damage or the "
     "price agreement you refer to."
     "{% if note %}\n\nIn particular: {{ note }}{% endif %}\n\n"
     "Please reply to this e-mail and attach them; keep the case number in the subject." + _SIGN),
    ("resolution_accepted", "en", "Resolution: accepted",
     "{{ dispute.number }} resolved in your favour",
     "Dear {{ contact.name }},\n\n"
     "we have reviewed case {{ dispute.number }} and accept your claim in full. "
     "{% if credit_memos %}Credit memo {{ credit_memos }} for {{ credit_amount }} has been booked against "
     "{{ invoices }}.{% else %}{{ accepted_amount }} has been taken off {{ invoices }}.{% endif %}"
     "{% if note %}\n\n{{ note }}{% endif %}" + _SIGN),
    ("resolution_partly_accepted", "en", "Resolution: partly accepted",
     "{{ dispute.number }}: partly accepted",
     "Dear {{ contact.name }},\n\n"
     "we have reviewed case {{ dispute.number }} about {{ amount }}. We accept {{ accepted_amount }} of it"
     "{% if credit_memos %} and have booked credit memo {{ credit_memos }} for {{ credit_amount }}{% endif %}. "
     "{% if resolution_note %}Our reasons for the rest: {{ resolution_note }}{% endif %}\n\n"
     "The remaining amount on {{ invoices }} is due; please arrange payment."
     "{% if note %}\n\n{{ note }}{% endif %}" + _SIGN),
    ("resolution_rejected", "en", "Resolution: rejected",
     "{{ dispute.number }}: we cannot accept the claim",
     "Dear {{ contact.name }},\n\n"
     "we have reviewed case {{ dispute.number }} about {{ amount }} on {{ invoices|default:'your account' }} "
     "and cannot accept it.\n\n"
     "Why: {{ resolution_note|default:note|default:'our records show the invoice is correct.' }}\n\n"
     "The amount is therefore due; please arrange payment or reply with anything we may have missed." + _SIGN),
    ("reminder_waiting", "en", "Reminder: we are waiting on you",
     "Reminder: we are waiting for your reply on {{ dispute.number }}",
     "Dear {{ contact.name }},\n\n"
     "we are still waiting for your reply on case {{ dispute.number }} ({{ amount }}, "
     "{{ invoices|default:'your account' }}). Without it we cannot settle the case."
     "{% if note %}\n\n{{ note }}{% endif %}\n\n"
     "Please reply to this e-mail; keep the case number in the subject." + _SIGN),
    ("acknowledge", "de", "Eingangsbestätigung",
     "Ihre Reklamation zu {{ invoices|default:'Ihrem Konto' }} ist eingegangen",
     "Guten Tag {{ contact.name }},\n\n"
     "vielen Dank für Ihre Nachricht. Wir haben den Vorgang {{ dispute.number }} über {{ amount }} "
     "({{ invoices|default:'Ihr Konto' }}) angelegt und melden uns, sobald wir ihn geprüft haben. "
     "Der Betrag ist bis dahin von unseren Mahnungen ausgenommen."
     "{% if note %}\n\n{{ note }}{% endif %}"
     "\n\nMit freundlichen Grüßen\n{{ sender }}\n{{ company }}, Debitorenbuchhaltung"),
    ("reminder_waiting", "de", "Erinnerung: wir warten auf Ihre Antwort",
     "Erinnerung: wir warten auf Ihre Antwort zu {{ dispute.number }}",
     "Guten Tag {{ contact.name }},\n\n"
     "zum Vorgang {{ dispute.number }} ({{ amount }}, {{ invoices|default:'Ihr Konto' }}) fehlt uns noch Ihre "
     "Antwort. Ohne sie können wir den Vorgang nicht abschließen."
     "{% if note %}\n\n{{ note }}{% endif %}\n\n"
     "Bitte antworten Sie auf diese E-Mail und lassen Sie die Vorgangsnummer im Betreff stehen."
     "\n\nMit freundlichen Grüßen\n{{ sender }}\n{{ company }}, Debitorenbuchhaltung"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Idempotent: a template a company already has (by code and language) is left as they worded it."""
    MessageTemplate = apps.get_model("comms", "MessageTemplate")
    for code, language, name, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(code=code, language=language,
                                              defaults={"name": name, "subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("comms", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
