"""A speed stand-in for `nl_core_news_sm` where it cannot be installed: same architecture,
untrained weights.

    python benchmarks/stand_in_pipeline.py OUT_DIR [--ud ../shared/ud]

Per token, a statistical spaCy pipeline costs what its architecture costs, whatever its
weights: the CNN token-to-vector layer, the tagger, morphologizer, parser and edit-tree
lemmatizer do the same arithmetic trained or not. This builds spaCy's own
efficiency-optimised Dutch config with the components `bp` runs from `nl_core_news_sm`
(its `ner` is excluded), takes the label sets from the UD Dutch test files, initialises
the weights at random and trains them for a few passes over those sentences, only so that
the parser starts sentences about as often as real text does (an untrained one starts
one at nearly every token, and later stages pay per sentence); then saves the pipeline. Its analyses are meaningless: use it to time
things (`bp ingest --model OUT_DIR`, `benchmarks/scale.py --model OUT_DIR`), never to
judge quality.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ["tok2vec", "morphologizer", "tagger", "parser", "trainable_lemmatizer"]


def ud_examples(nlp, folder: Path, limit: int = 2000):
    """spaCy Examples with gold tags, morphology, heads and lemmas: only their labels are used."""
    from spacy.tokens import Doc
    from spacy.training import Example

    examples = []
    for path in sorted(folder.glob("*.conllu")):
        words, tags, pos, morphs, heads, deps, lemmas = [], [], [], [], [], [], []
        for line in path.read_text(encoding="utf-8").splitlines() + [""]:
            cols = line.split("\t")
            if len(cols) == 10 and cols[0].isdigit():
                words.append(cols[1])
                lemmas.append(cols[2])
                pos.append(cols[3])
                tags.append(cols[4])
                morphs.append("" if cols[5] == "_" else cols[5])
                heads.append(int(cols[6]) - 1 if cols[6] != "0" else int(cols[0]) - 1)
                deps.append(cols[7])
            elif not line.strip() and words:
                predicted = Doc(nlp.vocab, words=words)
                reference = Doc(nlp.vocab, words=words, tags=tags, pos=pos, morphs=morphs, heads=heads, deps=deps, lemmas=lemmas)
                examples.append(Example(predicted, reference))
                words, tags, pos, morphs, heads, deps, lemmas = [], [], [], [], [], [], []
                if len(examples) >= limit:
                    return examples
    return examples


def build(out: Path, ud: Path, passes: int = 2) -> None:
    from spacy import util
    from spacy.cli.init_config import init_config

    config = init_config(lang="nl", pipeline=COMPONENTS, optimize="efficiency", gpu=False)
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = ud_examples(nlp, ud)
    if not examples:
        sys.exit(f"no UD .conllu files in {ud}")
    util.fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(passes):
        random.shuffle(examples)
        for batch in util.minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer)
    nlp.meta["name"] = "stand_in_sm"
    nlp.meta["version"] = "0.0.0"
    nlp.meta["description"] = "Speed stand-in for nl_core_news_sm: same architecture, untrained weights."
    nlp.to_disk(out)
    print(f"saved {out} ({', '.join(nlp.pipe_names)}) from {len(examples)} UD sentences' labels")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--ud", type=Path, default=ROOT.parent / "shared" / "ud")
    args = parser.parse_args()
    build(args.out, args.ud)


if __name__ == "__main__":
    main()
