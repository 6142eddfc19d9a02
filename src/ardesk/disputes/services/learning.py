"""Reason-code suggestion backed by the database: the keyword lists of the catalogue and the latest trained model.

The model learns from the disputes a company resolved: their description and the reason code the
analyst finally chose. It is stored as a database row, so every process reads the same one.

Suggestions are asked for one text at a time (the raise page asks as the analyst types, the API per
request), so that path is kept to two small reads whose SQL is built once per process: building a
queryset's SQL costs more than running it (~0.3 ms against ~0.05 ms), and the model itself answers in
~0.03 ms. 10,000 texts one by one take about 3 s, in one batch (`suggest_reasons`) well under one.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import QuerySet

from ardesk.audit.services import record
from ardesk.disputes import classify
from ardesk.disputes.models import Dispute, ReasonCode, ReasonModel
from ardesk.disputes.workflow import Status
from ardesk.errors import DomainError

_SETTLED = [Status.RESOLVED.value, Status.CLOSED.value]


_READS: dict[str, Callable[[], QuerySet[Any]]] = {
    "active_codes": lambda: ReasonCode.objects.filter(active=True),
    "newest_model": lambda: ReasonModel.objects.order_by("-created_at", "-pk").values_list("pk", "digest")[:1],
}


@functools.lru_cache(maxsize=8)
def _compiled(name: str, alias: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL of one of the fixed reads above, for one database, built once per process."""
    queryset = _READS[name]().using(alias)
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def active_codes() -> dict[str, ReasonCode]:
    """The active reason codes by code, in catalogue order."""
    alias = router.db_for_read(ReasonCode)
    sql, params = _compiled("active_codes", alias)
    return {rc.code: rc for rc in ReasonCode.objects.using(alias).raw(sql, params)}


def _keywords(active: dict[str, ReasonCode]) -> classify.KeywordSuggester:
    return classify.KeywordSuggester({code: rc.keyword_list for code, rc in active.items()})


def keyword_suggester() -> classify.KeywordSuggester:
    return _keywords(active_codes())


@functools.lru_cache(maxsize=2)
def _load(pk: int, digest: str) -> classify.TextModel:
    # Keyed by the payload's digest: the same key is always the same model, so the cache is never stale,
    # and every process asks the database which row is newest before using it.
    payload = bytes(ReasonModel.objects.values_list("payload", flat=True).get(pk=pk))
    if hashlib.sha256(payload).hexdigest() != digest:
        raise DomainError(f"reason model {pk} does not match its digest", field="payload")
    return classify.TextModel.from_bytes(payload)


def current_model() -> classify.TextModel | None:
    alias = router.db_for_read(ReasonModel)
    sql, params = _compiled("newest_model", alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        newest = cursor.fetchone()
    return _load(int(newest[0]), str(newest[1])) if newest is not None else None


Suggested = tuple[ReasonCode, classify.Suggestion] | None


def suggest_reason(text: str) -> Suggested:
    """The trained model's guess when there is one (and it names an active code), else the keyword guess."""
    if not classify.normalise(text):
        return None
    active = active_codes()
    model = current_model()
    guess = model.suggest(text) if model is not None else None
    return _choose(guess, text, active, lambda: _keywords(active))


def suggest_reasons(texts: Sequence[str]) -> list[Suggested]:
    """`suggest_reason` for many texts at once (an import, a mailbox run): one read of the catalogue and the
    model, one batch through the model."""
    active = active_codes()
    model = current_model()
    wanted = [k for k, text in enumerate(texts) if classify.normalise(text)]
    guesses: dict[int, classify.Suggestion] = {}
    if model is not None and wanted:
        guesses = dict(zip(wanted, model.suggest_many([texts[k] for k in wanted]), strict=True))
    keywords = functools.cache(lambda: _keywords(active))
    chosen: list[Suggested] = [None] * len(texts)
    for k in wanted:
        chosen[k] = _choose(guesses.get(k), texts[k], active, keywords)
    return chosen


def _choose(guess: classify.Suggestion | None, text: str, active: dict[str, ReasonCode],
            keywords: Callable[[], classify.KeywordSuggester]) -> Suggested:
    if guess is not None and guess.code in active:
        return active[guess.code], guess
    fallback = keywords().suggest(text)
    if fallback is not None and fallback.code in active:
        return active[fallback.code], fallback
    return None


def training_examples() -> list[classify.Example]:
    """(description, final reason code) of every resolved or closed dispute that has both."""
    rows = (Dispute.objects.filter(status__in=_SETTLED, reason_code__isnull=False).exclude(description="")
            .order_by("pk").values_list("description", "reason_code__code"))
    return [(text, code) for text, code in rows if text.strip()]


def _share(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


@transaction.atomic
def train_reason_model(*, by: Any) -> ReasonModel:
    """Train on every resolved dispute and store the model; refuses (NotEnoughExamples) while there are too few."""
    examples = training_examples()
    classify.check_enough(examples)
    evaluation = classify.evaluate(examples, keyword_suggester())
    model = classify.train(examples)
    payload = model.to_bytes()
    row = ReasonModel.objects.create(
        payload=payload, digest=hashlib.sha256(payload).hexdigest(), examples=model.examples,
        classes=list(model.classes),
        held_out=evaluation.held_out, model_accuracy=_share(evaluation.model_accuracy),
        keyword_accuracy=_share(evaluation.keyword_accuracy),
        trained_by=by if getattr(by, "pk", None) else None,
    )
    record(actor=by, verb="reason_model.trained", subject=row,
           after={"examples": row.examples, "classes": row.classes, "held_out": row.held_out,
                  "model_accuracy": row.model_accuracy, "keyword_accuracy": row.keyword_accuracy})
    return row
