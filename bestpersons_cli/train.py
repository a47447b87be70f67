"""Gluing gold files, the store and the classifier together for `bp train`, `bp classify`
and `bp evaluate`: where examples and lemmas come from, and what a model must match."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Sequence

import numpy as np

from . import classify, store
from .codebook import Codebook
from .errors import BpError
from .gold import GoldFile, GoldSentence
from .metrics import score
from .written import composition

LONG_DOCUMENT = 200  # sentences; a longer document is grouped by section in cross-validation


def model_folder(db_path: Path) -> Path:
    return db_path.parent / "models"


def lemmatize_texts(texts: Sequence[str], loaded) -> list[str]:
    """Texts from anywhere get the same cleaning and NLP as ingest, one sentence each."""
    from .clean import clean_text
    from .nlp import segment

    cleaned = [" ".join(clean_text(t)[0].text.split()) for t in texts]
    lemmas = []
    for spans in segment(loaded.nlp, ((text, True) for text in cleaned)):
        lemmas.append(" ".join(t.lemma.lower() for s in spans for t in s.tokens if not t.punct))
    return lemmas


def examples_from_gold(gold: Sequence[GoldSentence], conn: sqlite3.Connection | None, loaded_factory) -> list[classify.Example]:
    """Use the lemmas ingest stored for gold sentences found in the store (same id and
    text); lemmatize the others. Groups: document, or section for long documents."""
    stored: dict[str, sqlite3.Row] = {}
    sizes: dict[str, int] = {}
    if conn is not None:
        for row in store.sentences(conn):
            stored[row["uid"]] = row
            sizes[row["document"]] = sizes.get(row["document"], 0) + 1
    missing = [g for g in gold if g.id not in stored or stored[g.id]["text"] != g.text]
    fresh = dict(zip((g.id for g in missing), lemmatize_texts([g.text for g in missing], loaded_factory()))) if missing else {}
    examples = []
    for g in gold:
        row = stored.get(g.id)
        if g.id in fresh or row is None:
            lemmas, group = fresh[g.id], g.source
        else:
            lemmas = row["lemmas"]
            group = f"{g.source}#{row['section']}" if sizes.get(row["document"], 0) > LONG_DOCUMENT else g.source
        examples.append(classify.Example(g.id, g.source, g.text, lemmas, group, g.codes))
    return examples


def examples_from_written(written: Sequence[GoldSentence], loaded_factory) -> list[classify.Example]:
    """Written sentences get the same cleaning and NLP as any text; they form one group."""
    if not written:
        return []
    lemmas = lemmatize_texts([w.text for w in written], loaded_factory())
    return [classify.Example(w.id, w.source, w.text, lem, "written", w.codes) for w, lem in zip(written, lemmas)]


def pipelines_in_store(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {(r["nlp_pipeline"], r["nlp_version"]) for r in store.documents(conn)}


def base_card(codebook: Codebook, gold: GoldFile, conn: sqlite3.Connection, loaded_info, written: GoldFile | None = None) -> dict:
    pipelines = pipelines_in_store(conn)
    if len(pipelines) > 1:
        raise BpError("documents in the store were processed by different NLP pipelines; re-ingest with --force")
    if pipelines:
        name, version = next(iter(pipelines))
    elif loaded_info is not None:
        name, version = loaded_info.name, loaded_info.version
    else:
        raise BpError("nothing ingested yet; run `bp ingest` first")
    card = {
        "codebook": codebook.source,
        "codebook_sha256": codebook.sha256,
        "gold": gold.path,
        "gold_sha256": gold.sha256,
        "nlp_pipeline": {"name": name, "version": version},
        "libraries": classify.library_versions(),
        "trained_at": classify.now_iso(),
        "training_data": {"gold": composition(gold.sentences)},
    }
    if written is not None:
        card.update(written=written.path, written_sha256=written.sha256)
        card["training_data"]["written"] = composition(written.sentences)
    return card


def register(conn: sqlite3.Connection, model: classify.TrainedModel, path: Path) -> None:
    with conn:
        conn.execute("DELETE FROM models WHERE id = ?", (model.id,))
        conn.execute(
            "INSERT INTO models (id, path, card, created_at) VALUES (?,?,?,?)",
            (model.id, str(path), json.dumps(model.card, sort_keys=True), model.card["trained_at"]),
        )


def current_model(conn: sqlite3.Connection) -> classify.TrainedModel:
    row = conn.execute("SELECT * FROM models ORDER BY created_at DESC, rowid DESC LIMIT 1").fetchone()
    if row is None:
        raise BpError("no trained model yet; run `bp train`")
    return classify.load(Path(row["path"]))


def mismatch(model: classify.TrainedModel, codebook: Codebook, pipelines: set[tuple[str, str]]) -> str | None:
    """Why this model should not classify this store, or None."""
    card = model.card
    if card.get("codebook_sha256") != codebook.sha256:
        return f"model {model.id} was trained with another codebook ({card.get('codebook')}, sha256 {card.get('codebook_sha256', '')[:12]}) than {codebook.source}"
    wanted = (card["nlp_pipeline"]["name"], card["nlp_pipeline"]["version"])
    others = sorted(p for p in pipelines if p != wanted)
    if others:
        return (
            f"model {model.id} was trained on lemmas of {wanted[0]} {wanted[1]}, but the store holds documents"
            f" processed by {others[0][0]} {others[0][1]}"
        )
    return None


def train_and_register(
    conn: sqlite3.Connection,
    db_path: Path,
    codebook: Codebook,
    gold: GoldFile,
    loaded_factory,
    candidate: str = classify.DEFAULT_CANDIDATE,
    written: GoldFile | None = None,
) -> tuple[classify.TrainedModel, Path, Path]:
    """Examples, card, fit, save and register: the one training path of `bp train` and `bp run`.

    `loaded_factory` gives the spaCy pipeline; it is called only when some sentence is
    not in the store (all written ones) or the store holds no document yet.
    """
    examples = examples_from_gold(gold.sentences, conn, loaded_factory)
    extra = examples_from_written(written.sentences, loaded_factory) if written is not None else []
    pipelines = pipelines_in_store(conn)
    info = None if pipelines else loaded_factory().info
    card = base_card(codebook, gold, conn, info, written)
    trained = classify.train(examples, codebook, card, candidate, extra)
    path, card_path = classify.save(trained, model_folder(db_path))
    register(conn, trained, path)
    return trained, path, card_path


@dataclass(frozen=True)
class ClassifySummary:
    sentences: int
    coded_sentences: int
    per_code: dict[str, int]  # sentences assigned each code
    per_block: dict[str, int]  # sentences assigned at least one code of the block
    seconds: float = 0.0  # reading, predicting and storing, after the model is loaded

    @property
    def rate(self) -> int:
        """Sentences per second after loading the model."""
        return int(self.sentences / self.seconds) if self.seconds else 0


def classify_store(conn: sqlite3.Connection, model: classify.TrainedModel, codebook: Codebook) -> ClassifySummary:
    """Predict every stored sentence and quote; replace all predictions in one transaction."""
    started = time.perf_counter()
    sentences = list(store.sentences(conn))
    lemmas_by_doc_ordinal = {(r["document"], r["ordinal"]): r["lemmas"] for r in sentences}
    quotes = list(store.quotes(conn))
    targets = [("sentence", r["uid"], r["lemmas"]) for r in sentences]
    for q in quotes:
        span = range(q["first_sentence"] or 0, (q["last_sentence"] or -1) + 1)
        targets.append(("quote", q["uid"], " ".join(lemmas_by_doc_ordinal.get((q["document"], o), "") for o in span)))
    proba = model.predict_proba([t[2] for t in targets]) if targets else np.zeros((0, len(model.codes)))
    assigned = model.decide(proba, codebook.max_codes)
    rows = []
    codes = list(model.codes)
    for (kind, uid, _), p, a in zip(targets, proba.tolist(), assigned.astype(int).tolist()):
        rows.extend(zip(repeat(kind), repeat(uid), codes, [round(v, 6) for v in p], a, repeat(model.id)))
    with conn:
        conn.execute("DELETE FROM predictions")
        conn.executemany("INSERT INTO predictions VALUES (?,?,?,?,?,?)", rows)
    on_sentences = assigned[: len(sentences)]
    blocks = {}
    for block in codebook.block_ids:
        columns = [j for j, code in enumerate(model.codes) if codebook.block_of(code) == block]
        blocks[block] = int(on_sentences[:, columns].any(axis=1).sum()) if columns else 0
    return ClassifySummary(
        sentences=len(sentences),
        coded_sentences=int(on_sentences.any(axis=1).sum()) if len(sentences) else 0,
        per_code={code: int(on_sentences[:, j].sum()) for j, code in enumerate(model.codes)},
        per_block=blocks,
        seconds=time.perf_counter() - started,
    )


def evaluate(model: classify.TrainedModel, gold: Sequence[GoldSentence], codebook: Codebook, loaded) -> dict:
    if tuple(codebook.code_ids) != tuple(model.codes):
        raise BpError("the model's codes differ from the codebook's", codebook.source)
    lemmas = lemmatize_texts([g.text for g in gold], loaded)
    Y = classify.label_matrix([g.codes for g in gold], codebook)
    P = model.decide(model.predict_proba(lemmas), codebook.max_codes)
    result = score(Y, P, codebook)
    result["model_id"] = model.id
    return result
