"""The theme classifier: features, candidates, grouped cross-validation with thresholds
tuned inside the folds, the model card, and `skops` persistence.

Inputs are lemma strings (what ingest stores); outputs are per-code probabilities and
assignments. Nothing here knows about SQLite or Markdown.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .codebook import Codebook
from .errors import BpError
from .metrics import score

DEFAULT_CANDIDATE = "words+lexicon-lr"
N_SPLITS = 5
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


@dataclass(frozen=True)
class Example:
    id: str
    source: str
    text: str
    lemmas: str
    group: str
    codes: tuple[str, ...]


def label_matrix(code_lists: Sequence[Sequence[str]], codebook: Codebook) -> np.ndarray:
    index = {c: j for j, c in enumerate(codebook.code_ids)}
    Y = np.zeros((len(code_lists), len(index)), dtype=int)
    for i, codes in enumerate(code_lists):
        for code in codes:
            Y[i, index[code]] = 1
    return Y


# --- candidates -------------------------------------------------------------------------------


def typical_word_pattern(words: Sequence[str]) -> re.Pattern:
    """Any of the words at a word start, so inflected forms match (`subsidie` -> `subsidies`)."""
    return _compiled_word_pattern(tuple(words))


@lru_cache(maxsize=256)
def _compiled_word_pattern(words: tuple[str, ...]) -> re.Pattern:
    # Cached: feature extraction asks for the same 20 patterns at every fit and predict.
    # One trie-shaped alternation instead of a flat one: the regex engine then follows
    # shared prefixes once, several times faster on a long lexicon, same matches.
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(r"\b" + _trie_regex(trie)) if trie else re.compile("(?!)")


def occurrences(word_lists: tuple[tuple[str, ...], ...], texts) -> np.ndarray:
    """1 where a text has a word of the list (as a word prefix), per text and list.

    Each list's pattern scans all texts joined by line breaks once, in C, and jumps to the
    next text after a hit; a word never spans a line break, so the answers are those of
    searching every text apart, at a fraction of the cost.
    """
    from bisect import bisect_right

    texts = [text.lower() for text in texts]
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    joined = "\n".join(texts)
    result = np.zeros((len(texts), len(word_lists)))
    for j, words in enumerate(word_lists):
        pattern, position = typical_word_pattern(words), 0
        while (hit := pattern.search(joined, position)) is not None:
            i = bisect_right(starts, hit.start()) - 1
            result[i, j] = 1.0
            position = starts[i + 1] if i + 1 < len(starts) else len(joined) + 1
    return result


def _trie_regex(node: dict) -> str:
    if "" in node:  # a word ends here: any longer word has matched already
        return ""
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


class KeywordBaseline:
    """Assigns a code when one of its typical words occurs: the codebook read literally."""

    def __init__(self, codebook: Codebook):
        self.words = tuple(tuple(code.typical_words) for code in codebook.codes)

    def fit(self, X, Y):
        return self

    def predict_proba(self, X) -> np.ndarray:
        return occurrences(self.words, X)


class KeywordFeatures:
    """One feature per code: how many of its typical words (as word prefixes) a sentence
    has, so the linear model can weigh the codebook's own vocabulary against the data."""

    def __init__(self, keywords: tuple[tuple[str, ...], ...] = ()):
        self.keywords = keywords

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        from scipy.sparse import csr_matrix

        return csr_matrix(occurrences(self.keywords, X))

    def get_params(self, deep=True):
        return {"keywords": self.keywords}

    def set_params(self, **params):
        self.keywords = params.get("keywords", self.keywords)
        return self


def _linear(C: float = 16):
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear"))


class CompactTfidfVectorizer(TfidfVectorizer):
    """Saves its vocabulary as one newline-joined string: skops writes a dict entry by
    entry (about a kilobyte each), which made a model of 90,000 n-grams 98 MB."""

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: for non-sklearn classes it is __dict__ itself
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            state["vocabulary_terms_"] = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        if terms is not None:
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.split("\n"))} if terms else {}
        super().__setstate__(state)


def _words(ngrams=(1, 2)):
    return CompactTfidfVectorizer(ngram_range=ngrams, sublinear_tf=True, min_df=1, token_pattern=r"(?u)\b\w[\w-]+\b")


def _chars():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_features=60000)


def _keywords(codebook: Codebook, lexicon: bool) -> KeywordFeatures:
    """Typical words (and, with `lexicon`, the codebook's extra words for the same idea)."""
    return KeywordFeatures(
        tuple(tuple(c.typical_words) + (tuple(c.lexicon) if lexicon else ()) + (c.name.lower(),) for c in codebook.codes)
    )


def build_candidate(name: str, codebook: Codebook):
    """A fresh, unfitted estimator for a candidate name (a scikit-learn Pipeline except the baseline).

    Names read features-learner: words (lemma 1-2-grams), chars (lemma character 3-5-grams),
    keywords (the codebook's typical words), lexicon (typical words plus the codebook's
    lexicon); lr (logistic regression), huber (linear model with modified Huber loss).
    """
    from sklearn.pipeline import FeatureUnion, Pipeline

    if name == "keyword-baseline":
        return KeywordBaseline(codebook)
    if name not in CANDIDATES:
        raise BpError(f"unknown model candidate {name!r} (one of {', '.join(CANDIDATES)})")
    features, learner = name.rsplit("-", 1)
    parts = []
    for part in features.split("+"):
        if part == "words":
            parts.append(("words", _words()))
        elif part == "chars":
            parts.append(("chars", _chars()))
        elif part in ("keywords", "lexicon"):
            parts.append((part, _keywords(codebook, lexicon=part == "lexicon")))
    return Pipeline([("features", FeatureUnion(parts)), ("model", _huber() if learner == "huber" else _linear())])


def _huber():
    from sklearn.linear_model import SGDClassifier
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(SGDClassifier(loss="modified_huber", alpha=1e-5, class_weight="balanced", max_iter=50, random_state=0))


CANDIDATES = (
    "keyword-baseline",
    "words-lr",
    "words+lexicon-lr",
    "words+lexicon-huber",
    "words+chars-lr",
    "words+chars+keywords-lr",
    "words+chars+lexicon-lr",
)


def scores_of(estimator, X) -> np.ndarray:
    """Per-code scores in [0, 1]: probabilities where the model has them."""
    if hasattr(estimator, "predict_proba"):
        try:
            return np.asarray(estimator.predict_proba(X), dtype=float)
        except AttributeError:
            pass
    decision = np.asarray(estimator.decision_function(X), dtype=float)
    return 1.0 / (1.0 + np.exp(-decision))


# --- thresholds and decisions -----------------------------------------------------------------


def tune_thresholds(proba: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per code, the threshold that maximises F1 on out-of-fold scores (0.5 without positives)."""
    thresholds = np.full(Y.shape[1], 0.5)
    for j in range(Y.shape[1]):
        y = Y[:, j].astype(bool)
        if not y.any():
            continue
        best_f1 = -1.0
        for t in THRESHOLD_GRID:
            p = proba[:, j] >= t
            tp = (p & y).sum()
            f1 = 2 * tp / (p.sum() + y.sum()) if p.sum() + y.sum() else 0.0
            if f1 > best_f1 + 1e-9:
                best_f1, thresholds[j] = f1, t
    return thresholds


def decide(proba: np.ndarray, thresholds: np.ndarray, max_codes: int) -> np.ndarray:
    """Codes at or above their threshold, at most `max_codes` per sentence (the most probable)."""
    assigned = proba >= thresholds
    if max_codes and assigned.sum(axis=1).max(initial=0) > max_codes:
        margin = np.where(assigned, proba - thresholds, -np.inf)
        order = np.argsort(-margin, axis=1)[:, max_codes:]
        np.put_along_axis(assigned, order, False, axis=1)
    return assigned.astype(int)


# --- grouped cross-validation -------------------------------------------------------------------


def near_duplicate_groups(texts: Sequence[str], groups: Sequence[str], threshold: float = 0.75) -> list[str]:
    """Merge groups that share near-duplicate sentences (the short texts paraphrase the
    essay's summary), so no fold sees a paraphrase of its test sentences."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    parent = {g: g for g in groups}

    def find(g):
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4)).fit_transform(texts)
    similarity = (vectors @ vectors.T).tocoo()
    for i, j, value in zip(similarity.row, similarity.col, similarity.data):
        if i < j and value >= threshold and len(texts[i]) > 40 and groups[i] != groups[j]:
            a, b = find(groups[i]), find(groups[j])
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(g) for g in groups]


def gold_groups(examples: Sequence[Example]) -> list[str]:
    return near_duplicate_groups([e.text for e in examples], [e.group for e in examples])


def assign_folds(
    examples: Sequence[Example], extra: Sequence[Example], n_splits: int, groups: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fold of every example. Gold keeps its groups together (whole documents or essay
    sections, merged where they share near-duplicates); written sentences, which stand
    alone, get a fold from a hash of their id, so the split never depends on file order."""
    from sklearn.model_selection import GroupKFold

    groups = gold_groups(examples) if groups is None else groups
    gold_folds = np.zeros(len(examples), dtype=int)
    splits = min(n_splits, len(set(groups)))
    for k, (_, test) in enumerate(GroupKFold(n_splits=splits).split(np.zeros(len(examples)), groups=groups)):
        gold_folds[test] = k
    extra_folds = np.array([int(hashlib.sha1(e.id.encode()).hexdigest(), 16) % splits for e in extra], dtype=int)
    return gold_folds, extra_folds


def out_of_fold_scores(make: Callable[[], object], X: Sequence[str], Y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Every row scored by a model fitted on the other folds."""
    proba = np.zeros(Y.shape, dtype=float)
    X = np.asarray(X, dtype=object)
    for k in np.unique(folds):
        test = folds == k
        model = make().fit(list(X[~test]), Y[~test])
        proba[test] = scores_of(model, list(X[test]))
    return proba


@dataclass(frozen=True)
class CrossValidation:
    proba: np.ndarray  # out-of-fold scores of gold and extra rows
    result: dict  # scores on the gold rows

    def thresholds(self, Y: np.ndarray) -> np.ndarray:
        return tune_thresholds(self.proba, Y)


def cross_validate(
    name: str, examples: Sequence[Example], codebook: Codebook, n_splits: int = N_SPLITS, extra: Sequence[Example] = ()
) -> CrossValidation:
    """Grouped k-fold over the gold; `extra` (written) examples are spread over the folds
    and so are in most training parts, but only the gold is scored. Each gold fold is
    decided with thresholds tuned on the out-of-fold scores of the other folds."""
    groups = gold_groups(examples)
    gold_folds, extra_folds = assign_folds(examples, extra, n_splits, groups)
    folds = np.concatenate([gold_folds, extra_folds])
    X = [e.lemmas for e in examples] + [e.lemmas for e in extra]
    Y = label_matrix([e.codes for e in examples] + [e.codes for e in extra], codebook)
    n = len(examples)
    if name == "keyword-baseline":
        proba = KeywordBaseline(codebook).predict_proba(X)
        predicted = decide(proba[:n], np.full(Y.shape[1], 0.5), codebook.max_codes)
    else:
        proba = out_of_fold_scores(lambda: build_candidate(name, codebook), X, Y, folds)
        predicted = np.zeros((n, Y.shape[1]), dtype=int)
        for k in np.unique(gold_folds):
            others = folds != k
            thresholds = tune_thresholds(proba[others], Y[others])
            test = np.flatnonzero(gold_folds == k)
            predicted[test] = decide(proba[test], thresholds, codebook.max_codes)
    result = score(Y[:n], predicted, codebook)
    result["folds"] = int(len(np.unique(gold_folds)))
    result["groups"] = len(set(groups))
    result["extra_in_training"] = len(extra)
    return CrossValidation(proba, result)


# --- the final model --------------------------------------------------------------------------


@dataclass
class TrainedModel:
    estimator: object
    codes: tuple[str, ...]
    thresholds: np.ndarray
    card: dict

    @property
    def id(self) -> str:
        return self.card["id"]

    def predict_proba(self, lemmas: Sequence[str]) -> np.ndarray:
        return scores_of(self.estimator, list(lemmas))

    def decide(self, proba: np.ndarray, max_codes: int) -> np.ndarray:
        return decide(proba, self.thresholds, max_codes)


def train(
    examples: Sequence[Example], codebook: Codebook, card: dict, name: str = DEFAULT_CANDIDATE, extra: Sequence[Example] = ()
) -> TrainedModel:
    """Fit on gold plus `extra`. Thresholds are tuned on the out-of-fold scores of every
    row; the card's metrics are the grouped cross-validation on the gold."""
    cv = cross_validate(name, examples, codebook, extra=extra)
    Y = label_matrix([e.codes for e in examples] + [e.codes for e in extra], codebook)
    thresholds = cv.thresholds(Y) if name != "keyword-baseline" else np.full(Y.shape[1], 0.5)
    estimator = build_candidate(name, codebook).fit([e.lemmas for e in examples] + [e.lemmas for e in extra], Y)
    card = dict(card)
    card.update(
        candidate=name,
        codes=list(codebook.code_ids),
        thresholds={c: float(t) for c, t in zip(codebook.code_ids, thresholds)},
        training_examples=len(examples) + len(extra),
        cross_validation=cv.result,
    )
    return TrainedModel(estimator, codebook.code_ids, thresholds, card)


def library_versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("scikit-learn", "numpy", "scipy", "skops", "spacy", "bestpersons-cli")}


def model_id(card: dict) -> str:
    """Same codebook, gold, NLP pipeline, candidate and libraries give the same id."""
    basis = {k: card.get(k) for k in ("codebook_sha256", "gold_sha256", "nlp_pipeline", "candidate", "libraries")}
    if card.get("written_sha256"):
        basis["written_sha256"] = card["written_sha256"]
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:12]


def save(model: TrainedModel, folder: Path) -> tuple[Path, Path]:
    """Write `<id>.skops` and `<id>.card.json` beside it."""
    import skops.io as sio

    folder.mkdir(parents=True, exist_ok=True)
    payload = {"estimator": model.estimator, "codes": list(model.codes), "thresholds": model.thresholds}
    model.card["id"] = model_id(model.card)
    path = folder / f"{model.id}.skops"
    tmp = folder / f"{model.id}.skops.tmp"
    sio.dump(payload, tmp)
    tmp.replace(path)
    digest = model.id
    card_path = folder / f"{digest}.card.json"
    card_path.write_text(json.dumps(model.card, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path, card_path


TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "bestpersons_cli.classify.")


def load(path: Path) -> TrainedModel:
    """Load a model saved by `save`, trusting only scikit-learn, NumPy and SciPy types."""
    import skops.io as sio

    card_path = path.with_name(path.name.replace(".skops", ".card.json"))
    if not path.exists() or not card_path.exists():
        raise BpError("model or its card is missing; run `bp train`", path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
        foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if foreign:
            raise BpError(f"model holds types bp does not trust: {', '.join(foreign)}", path)
        payload = sio.load(path, trusted=untrusted)
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except BpError:
        raise
    except Exception as exc:
        raise BpError(f"cannot load model: {exc}", path) from None
    return TrainedModel(payload["estimator"], tuple(payload["codes"]), np.asarray(payload["thresholds"]), card)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
