"""Suggesting a reason code from the customer's words. Pure: no Django import.

Two suggesters, one answer shape (`Suggestion`):

- `KeywordSuggester`: word lists per reason code. Works from day one, knows nothing of a company's own
  vocabulary, so its confidence is kept modest.
- `TextModel`: TF-IDF word and word-pair features with a logistic regression, trained on the company's
  own resolved disputes (description → the reason code the analyst finally chose). Used once there are
  `MIN_EXAMPLES` examples of at least `MIN_CLASSES` codes.

A trained model is plain numbers (vocabulary, idf, coefficients) serialised as compressed JSON, so it can
live in the database and be read by any process; loading it never runs code, unlike a pickle. The
vectorizer and weight arrays it needs are built once per model object and kept on it, so suggesting one
text at a time (as the raise page and the API do) costs a tokenisation and a small product, not a rebuild.

Fitting and batch prediction run with one BLAS/OpenMP thread (threadpoolctl): on a busy two-core
machine the spinning threads of OpenBLAS made a small fit about thirty times slower.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scikit-learn takes about a second to import: only code that fits or vectorises pays it
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

from ardesk.errors import DomainError

MIN_EXAMPLES = 30
MIN_CLASSES = 2
FORMAT = "ardesk.reason-model/1"
_CONFIDENCE = Decimal("0.001")
_VECTORIZER = {"lowercase": True, "strip_accents": "unicode", "ngram_range": (1, 2), "sublinear_tf": True}
_MAX_FEATURES = 20_000
_WORDS = re.compile(r"[^\w]+")

Example = tuple[str, str]  # (description, reason code)


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: Decimal  # 0 to 1, three places
    source: str  # "keywords" or "model"


class NotEnoughExamples(DomainError):
    def __init__(self, *, examples: int, classes: int, minimum: int = MIN_EXAMPLES) -> None:
        super().__init__(f"a model needs at least {minimum} resolved disputes of at least {MIN_CLASSES} "
                         f"reason codes; there are {examples} of {classes}", field="examples")
        self.examples, self.classes = examples, classes


def _confidence(value: float) -> Decimal:
    return Decimal(str(value)).quantize(_CONFIDENCE, rounding=ROUND_HALF_UP)


def normalise(text: str) -> str:
    """Lower case, accents dropped, punctuation turned into single spaces."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(_WORDS.sub(" ", plain).split())


class KeywordSuggester:
    """Counts the keyword phrases of each code in the text; the code with most hits wins (catalogue order on ties).

    Confidence is hits of the winner / (all hits + 1): one lone hit is a coin toss, agreement raises it.
    """

    def __init__(self, words: Mapping[str, Iterable[str]]) -> None:
        self._phrases = {code: [p for p in (normalise(w) for w in phrases) if p] for code, phrases in words.items()}

    def scores(self, text: str) -> dict[str, int]:
        padded = f" {normalise(text)} "
        return {code: sum(padded.count(f" {p} ") for p in phrases) for code, phrases in self._phrases.items()}

    def suggest(self, text: str) -> Suggestion | None:
        scores = self.scores(text)
        total = sum(scores.values())
        if total == 0:
            return None
        best = max(scores, key=lambda code: scores[code])  # max keeps the first of equals: catalogue order
        return Suggestion(best, _confidence(scores[best] / (total + 1)), "keywords")


@dataclass(frozen=True)
class TextModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    examples: int

    # Built on first use and kept on the (immutable) model: cached_property writes the instance's __dict__,
    # which a frozen dataclass allows. The service keeps one model object per stored model (learning._load).
    @cached_property
    def _vectorizer(self) -> TfidfVectorizer:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(vocabulary=self.vocabulary, **_VECTORIZER)
        vectorizer.idf_ = np.asarray(self.idf)
        return vectorizer

    @cached_property
    def _weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(coefficients transposed: features × classes; intercepts; idf) as arrays, made once."""
        return np.ascontiguousarray(np.asarray(self.coef).T), np.asarray(self.intercept), np.asarray(self.idf)

    @cached_property
    def _analyzer(self) -> Callable[[str], list[str]]:
        return self._vectorizer.build_analyzer()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per class (in `classes` order)."""
        coef_t, intercept, _ = self._weights
        features = self._vectorizer.transform(list(texts))
        return self._softmax(np.asarray(features @ coef_t) + intercept)

    def _one(self, text: str) -> np.ndarray:
        """`probabilities([text])[0]` without scikit-learn's per-call checks (they cost milliseconds a text):
        the same analyzer, then sublinear tf × idf, l2-normalised, times the weights of the terms present."""
        coef_t, intercept, idf = self._weights
        counts = Counter(i for term in self._analyzer(text) if (i := self.vocabulary.get(term)) is not None)
        if not counts:
            return self._softmax(intercept[np.newaxis, :])[0]
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
        weights /= np.sqrt(weights @ weights)
        return self._softmax((weights @ coef_t[columns] + intercept)[np.newaxis, :])[0]

    def _softmax(self, scores: np.ndarray) -> np.ndarray:
        if len(self.classes) == 2:  # a binary logistic regression keeps one row of weights, for classes[1]
            second = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - second, second])
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def suggest(self, text: str) -> Suggestion:
        return self._best(self._one(text))

    def suggest_many(self, texts: Sequence[str]) -> list[Suggestion]:
        """One suggestion per text, in order: one tokenisation pass and one matrix product for the lot."""
        if not texts:
            return []
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            rows = self.probabilities(texts)
        return [self._best(row) for row in rows]

    def _best(self, row: np.ndarray) -> Suggestion:
        best = int(row.argmax())
        return Suggestion(self.classes[best], _confidence(float(row[best])), "model")

    def to_bytes(self) -> bytes:
        body = {"format": FORMAT, "classes": self.classes, "vocabulary": self.vocabulary,
                "idf": [round(x, 7) for x in self.idf], "coef": [[round(x, 7) for x in row] for row in self.coef],
                "intercept": [round(x, 7) for x in self.intercept], "examples": self.examples}
        return zlib.compress(json.dumps(body, separators=(",", ":")).encode(), level=9)

    @classmethod
    def from_bytes(cls, blob: bytes) -> TextModel:
        body = json.loads(zlib.decompress(blob))
        if body.get("format") != FORMAT:
            raise DomainError(f"not a reason model of format {FORMAT}", field="payload")
        return cls(classes=tuple(body["classes"]), vocabulary={k: int(v) for k, v in body["vocabulary"].items()},
                   idf=tuple(body["idf"]), coef=tuple(tuple(row) for row in body["coef"]),
                   intercept=tuple(body["intercept"]), examples=int(body["examples"]))


def check_enough(examples: Sequence[Example], *, minimum: int = MIN_EXAMPLES) -> None:
    classes = len({code for _, code in examples})
    if len(examples) < minimum or classes < MIN_CLASSES:
        raise NotEnoughExamples(examples=len(examples), classes=classes, minimum=minimum)


def fit(examples: Sequence[Example]) -> tuple[TfidfVectorizer, LogisticRegression]:
    """The scikit-learn estimators behind a TextModel, fitted (kept apart so tests can compare the two).

    One BLAS/OpenMP thread: the problem is small, and extra threads only spin against the web and worker
    processes sharing the machine (thirty times slower on a busy two-core box).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        vectorizer = TfidfVectorizer(max_features=_MAX_FEATURES, **_VECTORIZER)
        features = vectorizer.fit_transform([text for text, _ in examples])
        classifier = LogisticRegression(C=10.0, max_iter=2000)
        classifier.fit(features, [code for _, code in examples])
    return vectorizer, classifier


def train(examples: Sequence[Example], *, minimum: int = MIN_EXAMPLES) -> TextModel:
    """Fit a model on (description, reason code) pairs; refuses fewer than `minimum` examples or a single class."""
    usable = [(text, code) for text, code in examples if normalise(text)]
    check_enough(usable, minimum=minimum)
    vectorizer, classifier = fit(usable)
    return TextModel(
        classes=tuple(str(c) for c in classifier.classes_),
        vocabulary={str(term): int(i) for term, i in vectorizer.vocabulary_.items()},
        idf=tuple(float(x) for x in vectorizer.idf_),
        coef=tuple(tuple(float(x) for x in row) for row in classifier.coef_),
        intercept=tuple(float(x) for x in classifier.intercept_),
        examples=len(usable),
    )


@dataclass(frozen=True)
class Evaluation:
    """Accuracy on examples held out of training, for the model and for the keyword fallback."""

    held_out: int
    model_accuracy: float
    keyword_accuracy: float


def split(examples: Sequence[Example], *, test_share: float = 0.2, seed: int = 7) -> tuple[list[Example],
                                                                                         list[Example]]:
    """A reproducible hold-out split that keeps at least one example of each code in training."""
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)
    wanted = max(1, int(len(shuffled) * test_share))
    per_code = Counter(code for _, code in shuffled)
    train_part: list[Example] = []
    test_part: list[Example] = []
    for text, code in shuffled:
        if len(test_part) < wanted and per_code[code] > 1:
            test_part.append((text, code))
            per_code[code] -= 1
        else:
            train_part.append((text, code))
    return train_part, test_part


def evaluate(examples: Sequence[Example], keywords: KeywordSuggester, *, seed: int = 7) -> Evaluation:
    train_part, test_part = split(examples, seed=seed)
    model = train(train_part, minimum=1)  # the minimum is checked on the whole set, not the training share
    if not test_part:
        return Evaluation(0, 0.0, 0.0)
    predicted = [s.code for s in model.suggest_many([text for text, _ in test_part])]
    guessed = [s.code if s else "" for s in (keywords.suggest(text) for text, _ in test_part)]
    truth = [code for _, code in test_part]
    return Evaluation(
        held_out=len(test_part),
        model_accuracy=sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth),
        keyword_accuracy=sum(g == t for g, t in zip(guessed, truth, strict=True)) / len(truth),
    )
