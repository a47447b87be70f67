"""Measure the NLP stage against the UD Dutch test sets (gold sentences, lemmas, POS).

    .venv/bin/python benchmarks/ud_eval.py [--model NAME_OR_PATH] [--ud DIR] [--json]

Sentence F1: documents (sentences sharing a source file) are joined with spaces and
re-segmented; a predicted sentence counts when both its boundaries match a gold one.
Lemma and POS accuracy: the pipeline runs on the gold tokens, so tokenization errors
don't count twice; lemmas compare case-insensitively with Alpino's compound marker `_`
removed (`klooster_orde` -> `kloosterorde`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def read_conllu(path: Path):
    """Yield (document id, text, [(form, lemma, upos)]) per sentence."""
    doc, text, tokens = None, None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# source = "):
            doc = re.sub(r"\.p\.\d+\.s\.\d+\.xml$", "", line.split("=", 1)[1].strip())
        elif line.startswith("# text = "):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if tokens:
                yield doc, text, tokens
            doc, text, tokens = None, None, []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if cols[0].isdigit():
                tokens.append((cols[1], cols[2], cols[3]))
    if tokens:
        yield doc, text, tokens


def evaluate(nlp, path: Path) -> dict:
    from spacy.tokens import Doc

    sentences = list(read_conllu(path))
    documents: "OrderedDict[str, list[str]]" = OrderedDict()
    for doc_id, text, _ in sentences:
        documents.setdefault(doc_id, []).append(text)
    gold_spans, predicted_spans = set(), set()
    texts = [" ".join(parts) for parts in documents.values()]
    for d, (parts, doc) in enumerate(zip(documents.values(), nlp.pipe(texts, batch_size=32))):
        offset = 0
        for part in parts:
            gold_spans.add((d, offset, offset + len(part)))
            offset += len(part) + 1
        for sent in doc.sents:
            text = sent.text.rstrip()
            predicted_spans.add((d, sent.start_char, sent.start_char + len(text)))
    correct = len(gold_spans & predicted_spans)
    precision = correct / len(predicted_spans)
    recall = correct / len(gold_spans)

    lemma_ok = pos_ok = total = 0
    for _, _, tokens in sentences:
        doc = Doc(nlp.vocab, words=[t[0] for t in tokens])
        for _, component in nlp.pipeline:
            doc = component(doc)
        for token, (form, lemma, upos) in zip(doc, tokens):
            total += 1
            lemma_ok += token.lemma_.lower() == lemma.replace("_", "").lower()
            pos_ok += token.pos_ == upos
    return {
        "treebank": path.name,
        "sentences": len(sentences),
        "tokens": total,
        "sentence_precision": round(precision, 3),
        "sentence_recall": round(recall, 3),
        "sentence_f1": round(2 * precision * recall / (precision + recall), 3),
        "lemma_accuracy": round(lemma_ok / total, 3),
        "pos_accuracy": round(pos_ok / total, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--ud", type=Path, default=ROOT.parent / "shared" / "ud")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from bestpersons_cli.nlp import load_pipeline

    loaded = load_pipeline(args.model)
    for path in sorted(args.ud.glob("*.conllu")):
        started = time.perf_counter()
        result = evaluate(loaded.nlp, path)
        result.update(pipeline=loaded.info.name, version=loaded.info.version, seconds=round(time.perf_counter() - started, 1))
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['treebank']:32} {result['pipeline']} {result['version']}: sentence F1 {result['sentence_f1']:.3f}"
                f" (P {result['sentence_precision']:.3f} R {result['sentence_recall']:.3f}), lemma acc {result['lemma_accuracy']:.3f},"
                f" POS acc {result['pos_accuracy']:.3f}, {result['tokens']} tokens, {result['seconds']}s"
            )


if __name__ == "__main__":
    main()
