"""Training the suggester on resolved disputes, storing it in the database, and the `ardesk disputes` command."""

from __future__ import annotations

import zlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ardesk.audit.models import AuditEvent
from ardesk.audit.services import SYSTEM
from ardesk.disputes import services
from ardesk.disputes.models import Dispute, Kind, ReasonCode, ReasonModel, RootCause
from ardesk.disputes.services import ItemInput, learning, raise_dispute, suggest_reason, train_reason_model
from ardesk.disputes.services.learning import training_examples
from ardesk.errors import DomainError
from ardesk.ledger.models import Invoice
from tests.disputes.corpus import corpus
from tests.factories import DisputeFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def _resolved_history(examples: list[tuple[str, str]]) -> None:
    codes = {rc.code: rc for rc in ReasonCode.objects.all()}
    for text, code in examples:
        DisputeFactory(description=text, reason_code=codes[code])


def _train() -> str:
    out = StringIO()
    call_command("disputes", "train", stdout=out)
    return out.getvalue()


def test_only_settled_disputes_with_a_chosen_reason_and_words_teach_the_model():
    pricing = ReasonCode.objects.get(code="pricing")
    DisputeFactory(description="tariff too high", reason_code=pricing)
    DisputeFactory(description="closed one", reason_code=pricing, status="closed", root_cause=RootCause.objects.first(),
                   responsible_department="sales")
    DisputeFactory(description="still open", reason_code=pricing, status="in_review", outcome="")
    DisputeFactory(description="no reason chosen", reason_code=None)
    DisputeFactory(description="   ", reason_code=pricing)
    assert training_examples() == [("tariff too high", "pricing"), ("closed one", "pricing")]


def test_with_too_few_examples_the_command_says_so_and_keywords_carry_on():
    _resolved_history(corpus(per_code=3))  # 24 examples
    assert "not trained" in _train()
    assert not ReasonModel.objects.exists()
    reason, suggestion = suggest_reason("goods damaged in transit")  # type: ignore[misc]
    assert (reason.code, suggestion.source) == ("damaged_goods", "keywords")


def test_a_trained_model_suggests_the_reason_in_the_companys_words(analyst):
    # given the resolved disputes of the past, and no keyword that knows "tariff"
    _resolved_history(corpus())
    assert suggest_reason("you charged the old tariff on the framework deal") is None
    # when the suggester is retrained
    output = _train()
    # then it is stored with its figures, and a new dispute gets the model's suggestion
    row = ReasonModel.objects.get()
    assert "trained on 144 resolved disputes of 8 reason codes" in output
    assert row.model_accuracy > row.keyword_accuracy
    assert AuditEvent.objects.get(verb="reason_model.trained").after["examples"] == 144
    invoice = InvoiceFactory()
    dispute = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, items=[ItemInput(invoice=invoice)],
                            description="You charged the old tariff again, not the framework deal", by=analyst)
    assert dispute.suggested_reason.code == "pricing"
    assert dispute.suggestion_source == "model" and dispute.suggestion_confidence > Decimal("0.5")


def test_the_analysts_final_choice_is_what_the_next_training_learns(analyst):
    _resolved_history(corpus())
    # an analyst files "tariff" disputes under tax this time, again and again
    tax = ReasonCode.objects.get(code="tax")
    for _ in range(60):
        DisputeFactory(description="tariff levy on imports wrong", reason_code=tax)
    train_reason_model(by=analyst)
    assert suggest_reason("the tariff levy on imports")[0].code == "tax"  # type: ignore[index]


def test_a_model_naming_a_retired_code_falls_back_to_keywords():
    _resolved_history(corpus())
    train_reason_model(by=SYSTEM)
    ReasonCode.objects.filter(code="pricing").update(active=False)
    assert suggest_reason("charged the old tariff again") is None  # the model's answer is retired, no keyword
    found = suggest_reason("charged the old tariff again, and the goods arrived damaged")
    assert found is not None and found[0].code == "damaged_goods" and found[1].source == "keywords"


def test_verify_reports_an_invoice_whose_disputed_amount_drifted(analyst):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst,
                  items=[ItemInput(invoice=invoice, amount=Decimal("30.00"))])
    out = StringIO()
    call_command("disputes", "verify", stdout=out)
    assert "disputes verified" in out.getvalue()
    Invoice.objects.filter(pk=invoice.pk).update(disputed_amount=Decimal("29.00"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 mismatch"):
        call_command("disputes", "verify", stdout=StringIO(), stderr=err)
    assert f"{invoice.number} (EUR): cached 29.00, entries say 30.00" in err.getvalue()
    assert Dispute.objects.count() == 1


def test_suggest_prints_the_code_and_where_it_came_from():
    out = StringIO()
    call_command("disputes", "suggest", "billed twice for one order", stdout=out)
    assert out.getvalue().startswith("duplicate_billing (Duplicate billing), confidence 0.500, from keywords")


def test_a_stored_model_that_was_tampered_with_is_refused():
    _resolved_history(corpus())
    row = train_reason_model(by=SYSTEM)
    ReasonModel.objects.filter(pk=row.pk).update(payload=zlib.compress(b'{"format": "x"}'))
    learning._load.cache_clear()  # as in a process that has not loaded it yet
    with pytest.raises(DomainError, match="does not match its digest"):
        suggest_reason("charged the old tariff again")


def test_suggest_reasons_answers_each_text_as_suggest_reason_does():
    texts = ["you charged the old tariff on the framework deal", "", "   ", "goods damaged in transit",
             "received 8 cartons instead of 10", "qwerty zxcv"]
    # keywords only, before there is a model
    assert services.suggest_reasons(texts) == [suggest_reason(text) for text in texts]
    _resolved_history(corpus())
    train_reason_model(by=SYSTEM)
    batch = services.suggest_reasons(texts)
    assert batch == [suggest_reason(text) for text in texts]
    assert batch[1] is None and batch[2] is None
    assert batch[0] is not None and (batch[0][0].code, batch[0][1].source) == ("pricing", "model")


def test_one_suggestion_is_two_small_reads_and_sees_every_change_at_once(django_assert_max_num_queries):
    _resolved_history(corpus())
    train_reason_model(by=SYSTEM)
    text = "you charged the old tariff on the framework deal"
    suggest_reason(text)  # the model is loaded once per process
    with django_assert_max_num_queries(2):  # the active codes and which model is newest
        found = suggest_reason(text)
    assert found is not None and found[0].code == "pricing"
    # nothing about the catalogue is kept between calls: a code switched off is never suggested again
    ReasonCode.objects.filter(code="pricing").update(active=False)
    after = suggest_reason(text)
    assert after is None or after[0].code != "pricing"
