"""The reason-code suggesters, pure: keywords, the trained model, and how they compare."""

from __future__ import annotations

import importlib
import json
import zlib
from decimal import Decimal

import numpy as np
import pytest

from ardesk.disputes import classify
from tests.disputes.corpus import corpus

_seed = importlib.import_module("ardesk.disputes.migrations.0002_seed_catalogues")
KEYWORDS = classify.KeywordSuggester({code: words for code, _, _, _, words in _seed.REASON_CODES})


def test_keywords_pick_the_code_with_most_hits_and_stay_modest():
    suggestion = KEYWORDS.suggest("The pallet arrived DAMAGED: two boxes broken, one crushed.")
    assert suggestion is not None
    assert (suggestion.code, suggestion.source) == ("damaged_goods", "keywords")
    assert suggestion.confidence == Decimal("0.750")  # 3 hits of 3, over 3 + 1


def test_keywords_match_whole_words_and_ignore_accents():
    assert KEYWORDS.suggest("we were invoiced twice").code == "duplicate_billing"  # type: ignore[union-attr]
    assert KEYWORDS.suggest("Prix non conforme, PRÍCE list 2025").code == "pricing"  # type: ignore[union-attr]
    assert KEYWORDS.suggest("shortbread") is None  # "short" is a word, not a prefix
    assert KEYWORDS.suggest("") is None


def test_too_few_examples_or_one_code_cannot_train():
    with pytest.raises(classify.NotEnoughExamples, match="there are 29 of 2"):
        classify.train([("price too high", "pricing")] * 15 + [("goods broken", "damaged_goods")] * 14)
    with pytest.raises(classify.NotEnoughExamples):
        classify.train([("price too high", "pricing")] * 40)


def test_the_model_learns_the_companys_words_and_beats_the_keywords():
    # given the disputes one company resolved, in its customers' own words
    examples = corpus()
    # when a model is trained on most and both suggesters guess the rest
    evaluation = classify.evaluate(examples, KEYWORDS)
    # then the model is right far more often than the generic keyword lists
    assert evaluation.held_out >= 25
    assert evaluation.model_accuracy >= 0.85
    assert evaluation.model_accuracy > evaluation.keyword_accuracy + 0.3


def test_the_stored_model_answers_exactly_as_scikit_learn_does():
    examples = corpus(per_code=6)
    texts = [text for text, _ in examples]
    model = classify.TextModel.from_bytes(classify.train(examples).to_bytes())
    vectorizer, classifier = classify.fit(examples)
    expected = classifier.predict_proba(vectorizer.transform(texts))
    assert list(model.classes) == list(classifier.classes_)
    assert np.allclose(model.probabilities(texts), expected, atol=1e-5)


def test_a_two_code_model_gives_proper_probabilities():
    examples = [(f"contract rate {i} not honoured", "pricing") for i in range(16)]
    examples += [(f"pallet count {i} was off", "quantity_short") for i in range(16)]
    model = classify.train(examples)
    guess = model.suggest("they ignored the contract rate")
    assert guess.code == "pricing" and Decimal("0.5") < guess.confidence <= 1
    assert np.allclose(model.probabilities(["pallet count off"]).sum(axis=1), 1.0)


def test_a_payload_of_another_format_is_refused():
    with pytest.raises(classify.DomainError, match="not a reason model"):
        classify.TextModel.from_bytes(zlib.compress(json.dumps({"format": "pickle"}).encode()))


def test_the_split_keeps_every_code_in_training():
    examples = [("a b", "x")] * 10 + [("c d", "y")]
    train, test = classify.split(examples, test_share=0.5)
    assert ("c d", "y") in train and len(test) == 5


def test_fitting_runs_on_one_blas_thread(monkeypatch):
    # OpenBLAS's spinning threads made a small fit ~30x slower on a busy two-core machine.
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_info

    seen: list[int] = []
    original = LogisticRegression.fit

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] in ("blas", "openmp"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    classify.train(corpus(per_code=6))
    assert seen and set(seen) == {1}


def test_one_at_a_time_builds_the_vectorizer_once_and_answers_as_the_batch(monkeypatch):
    examples = corpus(per_code=8)
    model = classify.TextModel.from_bytes(classify.train(examples).to_bytes())
    from sklearn.feature_extraction.text import TfidfVectorizer

    built: list[object] = []
    original = TfidfVectorizer.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TfidfVectorizer, "__init__", counting)
    texts = [text for text, _ in examples] + ["", "nothing the model has ever seen", "the TARIFF, tariff; tariff!"]
    single = [model.suggest(text) for text in texts]
    assert len(built) == 1  # the first suggestion builds it, the others reuse it
    assert model.suggest_many(texts) == single
    rows = np.array([model._one(text) for text in texts])
    assert np.allclose(rows, model.probabilities(texts), atol=1e-12)


def test_suggest_many_of_nothing_is_nothing():
    model = classify.train(corpus(per_code=6))
    assert model.suggest_many([]) == []
