"""A readable Markdown digest of the coded corpus, for Dutch policy advisers.

`write_digest` reads the store once (`load_corpus`), computes statistics with pure
functions (`log_odds`, `mmr`, `cooccurrence`, ...), renders pages as strings
(`render_index`, `render_block`, `render_quotes`) and only then writes files.
Output is deterministic: everything is sorted, floats have a fixed format and
nothing depends on the clock, so the same database gives byte-identical files.

Internal links always point at explicit `<a id="..."></a>` anchors made by `anchor`.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections import Counter
from functools import cached_property, lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .codebook import Codebook
from .errors import BpError

MMR_LAMBDA = 0.7
TOP_LEMMAS = 10
MIN_SUMMARY, MAX_SUMMARY = 3, 7
DUPLICATE_SIMILARITY = 0.9

# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    name: str
    prefix: str
    title: str
    pipeline: str
    version: str
    fallback: bool
    sentences: int
    quotes: int


@dataclass(frozen=True)
class Sentence:
    uid: str
    document: str
    prefix: str
    ordinal: int
    kind: str
    section: str | None
    page: int | None
    text: str
    lemmas: str


@dataclass(frozen=True)
class Quote:
    uid: str
    document: str
    prefix: str
    ordinal: int
    kind: str
    source_id: str
    number: int | None
    text: str
    section: str | None
    page: int | None


@dataclass
class Corpus:
    documents: list[Document]
    sentences: list[Sentence]
    quotes: list[Quote]
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)  # sentence uid -> code -> p
    sentence_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    quote_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    card: dict | None = None

    @cached_property
    def lemma_totals(self) -> Counter:
        """Lemma counts of the whole corpus: each code's rest is this minus its own."""
        return lemma_counts(s.lemmas for s in self.sentences)


def load_corpus(conn: sqlite3.Connection, codebook: Codebook) -> Corpus:
    """Everything the digest needs, read in a fixed order. The only function that queries."""
    db = conn.cursor()
    db.row_factory = sqlite3.Row  # leave the caller's connection as it is
    docs = [
        Document(r["name"], r["prefix"], r["title"], r["nlp_pipeline"], r["nlp_version"], bool(r["nlp_fallback"]),
                 r["n_sentences"], r["n_quotes"])
        for r in db.execute(
            "SELECT d.*, (SELECT COUNT(*) FROM sentences s WHERE s.document_id = d.id) AS n_sentences,"
            " (SELECT COUNT(*) FROM quotes q WHERE q.document_id = d.id) AS n_quotes"
            " FROM documents d ORDER BY d.name"
        )
    ]
    sentences = [
        Sentence(r["uid"], r["document"], r["prefix"], r["ordinal"], r["kind"], r["section"], r["page"],
                 r["text"], r["lemmas"] or "")
        for r in db.execute(
            "SELECT s.*, d.name AS document, d.prefix AS prefix FROM sentences s"
            " JOIN documents d ON d.id = s.document_id ORDER BY d.name, s.ordinal, s.uid"
        )
    ]
    quotes = [
        Quote(r["uid"], r["document"], r["prefix"], r["ordinal"], r["kind"], r["source_id"], r["number"],
              r["text"], r["section"], r["page"])
        for r in db.execute(
            "SELECT q.*, d.name AS document, d.prefix AS prefix FROM quotes q"
            " JOIN documents d ON d.id = q.document_id ORDER BY d.name, q.ordinal, q.uid"
        )
    ]
    card = None
    row = db.execute("SELECT id, card FROM models ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
    if row is not None:
        try:
            card = json.loads(row["card"])
        except (TypeError, ValueError):
            card = {}
        card.setdefault("id", row["id"])
    # Predictions of the latest model when it has any, else whatever is stored.
    model_filter, params = "", []
    if row is not None and db.execute("SELECT 1 FROM predictions WHERE model_id = ? LIMIT 1", (row["id"],)).fetchone():
        model_filter, params = " AND model_id = ?", [row["id"]]
    known = set(codebook.code_ids)
    probabilities: dict[str, dict[str, float]] = {}
    sentence_codes: dict[str, set[str]] = {}
    quote_codes: dict[str, set[str]] = {}
    for r in db.execute(
        "SELECT target, target_uid, code, probability, assigned FROM predictions WHERE 1=1" + model_filter
        + " ORDER BY target, target_uid, code",
        params,
    ):
        if r["code"] not in known:
            continue
        if r["target"] == "sentence":
            probabilities.setdefault(r["target_uid"], {})[r["code"]] = float(r["probability"])
            if r["assigned"]:
                sentence_codes.setdefault(r["target_uid"], set()).add(r["code"])
        elif r["target"] == "quote" and r["assigned"]:
            quote_codes.setdefault(r["target_uid"], set()).add(r["code"])
    return Corpus(
        docs, sentences, quotes, probabilities,
        {k: frozenset(v) for k, v in sentence_codes.items()},
        {k: frozenset(v) for k, v in quote_codes.items()},
        card,
    )


# --- Markdown helpers --------------------------------------------------------------------------

_ESCAPE_CHARS = set("\\|*_`[]<>&")


def md_escape(text: str) -> str:
    """Corpus text as inert inline Markdown: one line, no tables broken, no HTML, no markup."""
    text = " ".join(str(text).split())
    out = "".join("\\" + ch if ch in _ESCAPE_CHARS else ch for ch in text)
    # Block syntax only matters at the start of a line (which is the start of the text here).
    m = re.match(r"\d+(?=[.)](\s|$))", out)
    if m:  # "1. " would start an ordered list
        out = out[: m.end()] + "\\" + out[m.end():]
    elif re.match(r"[#+=~-]", out):
        out = "\\" + out
    return out


def slug(text: str) -> str:
    """An anchor id: lower case ASCII letters, digits and single hyphens."""
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s or "x"


def anchor(ident: str) -> str:
    return f'<a id="{slug(ident)}"></a>'


def block_file(block_id: str) -> str:
    return f"blok-{slug(block_id)}.md"


def code_link(codebook: Codebook, code_id: str, from_file: str | None = None, label: str | None = None) -> str:
    target = block_file(codebook.block_of(code_id))
    href = f"#{slug(code_id)}" if target == from_file else f"{target}#{slug(code_id)}"
    return f"[{label or code_id}]({href})"


def quote_link(uid: str, from_file: str | None = None) -> str:
    href = f"#{slug('q-' + uid)}" if from_file == "quotes.md" else f"quotes.md#{slug('q-' + uid)}"
    return f"[{uid}]({href})"


def num(value: float, decimals: int) -> str:
    """Fixed Dutch number format: decimal comma."""
    return f"{value:.{decimals}f}".replace(".", ",")


def percent(part: int, whole: int) -> str:
    return num(100.0 * part / whole, 1) + " %" if whole else "–"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        assert len(row) == len(header)
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return lines


def location(prefix: str, section: str | None, page: int | None) -> str:
    parts = [f"document {md_escape(prefix)}"]
    if section:
        parts.append(f"„{md_escape(section)}”")
    if page is not None:
        parts.append(f"p. {page}")
    return ", ".join(parts)


# --- statistics (pure) -------------------------------------------------------------------------


NUMBERISH = re.compile(r"[\d.,:/\-]+")


@lru_cache(maxsize=None)
def _tokens(lemmas: str) -> tuple[str, ...]:
    """Lemmas worth counting: three letters or more, not a number. Cached: every code's
    log-odds reads the same sentences."""
    return tuple(t for t in lemmas.split() if len(t) >= 3 and not NUMBERISH.fullmatch(t) and any(c.isalpha() for c in t))


def lemma_counts(texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(_tokens(text))
    return counts


def log_odds(target: Iterable[str], rest: Iterable[str], top: int = TOP_LEMMAS, prior_scale: float = 1.0) -> list[tuple[str, float, int, int]]:
    """Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    `target` and `rest` are lemma strings. The prior is the pooled corpus counts (times
    `prior_scale`). Returns (lemma, z, count in target, count in rest), highest z first.
    """
    return log_odds_of_counts(lemma_counts(target), lemma_counts(rest), top, prior_scale)


def log_odds_of_counts(ci: Counter, cj: Counter, top: int = TOP_LEMMAS, prior_scale: float = 1.0) -> list[tuple[str, float, int, int]]:
    """`log_odds` on lemma counts, so the corpus is counted once for all codes."""
    ni, nj = sum(ci.values()), sum(cj.values())
    if not ni:
        return []
    pooled = ci + cj
    a0 = prior_scale * (ni + nj)
    scored = []
    for w in sorted(ci):
        a = prior_scale * pooled[w]
        yi, yj = ci[w], cj[w]
        delta = math.log((yi + a) / (ni + a0 - yi - a)) - math.log((yj + a) / (nj + a0 - yj - a))
        z = delta / math.sqrt(1.0 / (yi + a) + 1.0 / (yj + a))
        scored.append((w, round(z, 10), yi, yj))
    scored.sort(key=lambda t: (-t[1], t[0]))
    return scored[:top]


def tfidf_rows(texts: Sequence[str]):
    """L2-normalised TF-IDF rows over lemma strings, None when there is no vocabulary."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    try:
        return normalize(TfidfVectorizer().fit_transform(texts))
    except ValueError:  # empty vocabulary
        return None


def mmr(texts: Sequence[str], relevance: Sequence[float], k: int, lam: float = MMR_LAMBDA,
        duplicate: float = DUPLICATE_SIMILARITY) -> list[int]:
    """Maximal marginal relevance: indices of up to k texts, in the order picked.

    A candidate as similar as `duplicate` to one already picked is never picked. Only the
    similarities to picked texts are computed (cosine of TF-IDF rows), never the whole
    matrix: a code can have thousands of sentences.
    """
    import numpy as np

    n = len(texts)
    if not n or k <= 0:
        return []
    rows = tfidf_rows(texts)
    chosen: list[int] = []
    redundancy = np.zeros(n)  # similarity to the most similar text picked so far
    left = list(range(n))
    while left and len(chosen) < k:
        best, best_score = None, None
        for i in left:
            score = round(lam * relevance[i] - (1 - lam) * (float(redundancy[i]) if chosen else 0.0), 10)
            if best_score is None or score > best_score:
                best, best_score = i, score
        chosen.append(best)
        if rows is None:
            similar = np.array([1.0 if texts[i].strip() and texts[i].strip() == texts[best].strip() else 0.0 for i in range(n)])
        else:
            similar = (rows @ rows[best].T).toarray().ravel()
        redundancy = np.maximum(redundancy, similar)
        left = [i for i in left if i != best and float(similar[i]) < duplicate]
    return chosen


def summary_size(n: int) -> int:
    return min(n, max(MIN_SUMMARY, min(MAX_SUMMARY, math.ceil(n / 10))))


def cooccurrence(codes_per_sentence: Iterable[frozenset[str]], code: str, top: int = 3) -> list[tuple[str, int]]:
    counts: Counter = Counter()
    for codes in codes_per_sentence:
        if code in codes:
            counts.update(c for c in codes if c != code)
    return sorted(counts.items(), key=lambda t: (-t[1], t[0]))[:top]


# --- rendering (pure) --------------------------------------------------------------------------


def _sentences_with(corpus: Corpus, code: str) -> list[Sentence]:
    return [s for s in corpus.sentences if code in corpus.sentence_codes.get(s.uid, ())]


def _interview_quotes_with(corpus: Corpus, code: str) -> list[Quote]:
    qs = [q for q in corpus.quotes if q.kind == "interview" and code in corpus.quote_codes.get(q.uid, ())]
    return sorted(qs, key=_quote_order)


def _quote_order(q: Quote) -> tuple:
    return (q.number is None, q.number or 0, q.document, q.ordinal, q.uid)


def render_index(corpus: Corpus, codebook: Codebook) -> str:
    total = len(corpus.sentences)
    out = [f"# Digest: {md_escape(codebook.name)}", ""]
    out += ["Overzicht van de gecodeerde onderzoeksteksten over best persons. "
            "Per thema is er een aparte pagina; alle citaten staan in [Citaten](quotes.md).", ""]

    out += [f"## {anchor('corpus')}Corpus", ""]
    out += table(
        ["Document", "Titel", "Zinnen", "Citaten"],
        [[md_escape(d.name), md_escape(d.title), d.sentences, d.quotes] for d in corpus.documents]
        + [["**Totaal**", "", total, len(corpus.quotes)]],
    )
    out.append("")

    out += [f"## {anchor('werkwijze')}Werkwijze", ""]
    pipelines = sorted({(d.pipeline, d.version) for d in corpus.documents})
    if pipelines:
        out.append("Taalverwerking (spaCy-pipeline): "
                   + "; ".join(f"`{p}` versie `{v}`" for p, v in pipelines) + ".")
    else:
        out.append("Nog geen documenten ingelezen.")
    out.append("")
    fallback = [d.name for d in corpus.documents if d.fallback]
    if fallback:
        out += ["> **Let op:** de zinsindeling en de lemma's (grondvormen van woorden) van "
                + ("alle documenten" if len(fallback) == len(corpus.documents) else
                   "deze documenten: " + ", ".join(md_escape(n) for n in fallback))
                + " komen uit de eenvoudige reservepipeline, zonder het statistische Nederlandse taalmodel. "
                "Zinsgrenzen en grondvormen kunnen daardoor hier en daar afwijken; "
                "de kenmerkende woorden en samenvattingen zijn daarom indicatief.", ""]
    card = corpus.card
    if card is None:
        out += ["Er is nog geen classificatiemodel getraind; er zijn dus geen thema's toegekend.", ""]
    else:
        cv = card.get("cross_validation") or {}

        def metric(key: str) -> str:
            v = cv.get(key)
            return num(float(v), 2) if isinstance(v, (int, float)) else "onbekend"

        nlp = card.get("nlp_pipeline") or {}
        out += [f"Thema's zijn toegekend door classificatiemodel `{card.get('id', '?')}` "
                f"(kandidaat `{card.get('candidate', '?')}`"
                + (f", getraind met `{nlp.get('name')}` `{nlp.get('version')}`" if nlp.get("name") else "")
                + "). Kwaliteit bij kruisvalidatie (0 = slecht, 1 = perfect):", ""]
        out += table(["Maat", "Waarde"], [
            ["Micro-F1 (codes)", metric("micro_f1")],
            ["Macro-F1 (codes)", metric("macro_f1")],
            ["Micro-F1 (blokken)", metric("block_micro_f1")],
            ["Kappa", metric("kappa")],
        ])
        out += ["", "Een toegekend thema is een inschatting van het model, geen oordeel van een onderzoeker.", ""]

    out += [f"## {anchor('thema-overzicht')}Thema-overzicht", ""]
    rows = []
    block_counts = []
    for b in codebook.blocks:
        codes = codebook.codes_in_block(b.id)
        ids = {c.id for c in codes}
        n_block = sum(1 for s in corpus.sentences if ids & corpus.sentence_codes.get(s.uid, frozenset()))
        q_block = sum(1 for q in corpus.quotes
                      if q.kind == "interview" and ids & corpus.quote_codes.get(q.uid, frozenset()))
        block_counts.append((b, n_block))
        rows.append([f"**[{md_escape(b.id)}]({block_file(b.id)})**", f"**[{md_escape(b.name)}]({block_file(b.id)})**",
                     f"**{n_block}**", f"**{percent(n_block, total)}**", f"**{q_block}**"])
        for c in codes:
            n = len(_sentences_with(corpus, c.id))
            rows.append([code_link(codebook, c.id), md_escape(c.name), n, percent(n, total),
                         len(_interview_quotes_with(corpus, c.id))])
    out += table(["Code", "Thema", "Zinnen", "Aandeel van alle zinnen", "Interviewcitaten"], rows)
    out += ["", "Een zin kan meer thema's (en blokken) hebben; de aantallen tellen daarom niet op tot het totaal.", ""]

    out += [f"## {anchor('zinnen-per-blok')}Zinnen per blok", ""]
    shown = [(b, n) for b, n in block_counts if n > 0]
    if shown:
        out += ["```mermaid", "pie showData", "    title Zinnen per blok"]
        for b, n in shown:
            label = re.sub(r'["\n]', "", f"{b.id} {b.name}")
            out.append(f'    "{label}" : {n}')
        out += ["```", ""]
    else:
        out += ["Nog geen zinnen met een thema.", ""]
    out += ["Blokpagina's:", ""]
    out += [f"- [Blok {md_escape(b.id)}: {md_escape(b.name)}]({block_file(b.id)})" for b in codebook.blocks]
    out.append("")
    return "\n".join(out)


def render_block(corpus: Corpus, codebook: Codebook, block_id: str) -> str:
    me = block_file(block_id)
    block = codebook.block(block_id)
    total = len(corpus.sentences)
    codes_of = [corpus.sentence_codes.get(s.uid, frozenset()) for s in corpus.sentences]
    out = [f"# Blok {md_escape(block.id)}: {md_escape(block.name)}", "",
           "[Terug naar het overzicht](index.md#thema-overzicht) · [Alle citaten](quotes.md)", "",
           f"Omschrijving in het codeboek: {md_escape(block.description)}", ""]
    out += [f"- [{md_escape(c.id)} {md_escape(c.name)}](#{slug(c.id)})" for c in codebook.codes_in_block(block_id)]
    out.append("")
    per_doc = Counter(s.document for s in corpus.sentences)
    for c in codebook.codes_in_block(block_id):
        out += [f"## {anchor(c.id)}{md_escape(c.id)} {md_escape(c.name)}", ""]
        out += [f"**Definitie:** {md_escape(c.definition)}", ""]
        mine = _sentences_with(corpus, c.id)
        quotes = _interview_quotes_with(corpus, c.id)
        if not mine:
            out += ["Geen zinnen aan deze code toegekend.", ""]
        else:
            out += [f"Toegekend aan {len(mine)} zinnen ({percent(len(mine), total)} van alle zinnen) "
                    f"en {len(quotes)} interviewcitaten.", ""]
            out += ["### Zinnen per document", ""]
            mine_doc = Counter(s.document for s in mine)
            out += table(["Document", "Zinnen met deze code", "Zinnen in document", "Aandeel"],
                         [[md_escape(d.name), mine_doc[d.name], per_doc[d.name], percent(mine_doc[d.name], per_doc[d.name])]
                          for d in corpus.documents])
            out.append("")

            out += ["### Kenmerkende woorden", "",
                    "Grondvormen (lemma's) die bij deze code vaker voorkomen dan in de rest van het corpus "
                    "(gewogen log-odds met informatieve Dirichlet-prior, Monroe e.a. 2008; "
                    "een z-score boven 1,96 is een duidelijk verschil).", ""]
            in_code = lemma_counts(s.lemmas for s in mine)
            words = log_odds_of_counts(in_code, corpus.lemma_totals - in_code)
            if words:
                out += table(["Lemma", "z-score", "Keer in deze code", "Keer in de rest"],
                             [[md_escape(w), num(z, 2), a, b] for w, z, a, b in words])
            else:
                out.append("Geen bruikbare woorden.")
            out.append("")

            out += ["### Samenvatting", "",
                    "Zinnen die het thema het best typeren en elkaar zo weinig mogelijk herhalen "
                    "(maximal marginal relevance), in volgorde van de tekst:", ""]
            candidates = [s for s in mine if s.kind in ("text", "bullet")] or mine
            picked = mmr([s.lemmas for s in candidates],
                         [corpus.probabilities.get(s.uid, {}).get(c.id, 0.0) for s in candidates],
                         summary_size(len(candidates)))
            for i, s in enumerate(sorted((candidates[p] for p in picked), key=lambda s: (s.document, s.ordinal, s.uid)), 1):
                out.append(f"{i}. {md_escape(s.text)} — _{location(s.prefix, s.section, s.page)}_ · `{s.uid}`")
            out.append("")

        if quotes:
            out += ["### Interviewcitaten", ""]
            for q in quotes:
                who = f"Interview {q.number}" if q.number is not None else md_escape(q.source_id)
                out += [f"**{who}** ({quote_link(q.uid)}, {location(q.prefix, q.section, q.page)}):", "",
                        f"> {md_escape(q.text)}", ""]
        if mine:
            out += ["### Komt vaak samen voor met", ""]
            co = cooccurrence(codes_of, c.id)
            if co:
                out += [f"- {code_link(codebook, other, me, f'{other} {md_escape(codebook.code(other).name)}')}: "
                        f"{n} {'zin' if n == 1 else 'zinnen'} met beide codes" for other, n in co]
            else:
                out.append("Geen andere codes bij dezelfde zinnen.")
            out.append("")
    return "\n".join(out)


def _quote_entry(corpus: Corpus, codebook: Codebook, q: Quote) -> list[str]:
    codes = sorted(corpus.quote_codes.get(q.uid, ()), key=codebook.code_ids.index)
    themes = ", ".join(code_link(codebook, c, "quotes.md", f"{c} {md_escape(codebook.code(c).name)}") for c in codes) or "geen"
    return [f"{anchor('q-' + q.uid)}**{q.uid}** · bron: {md_escape(q.source_id)} · "
            f"{location(q.prefix, q.section, q.page)} · thema's: {themes}", "",
            f"> {md_escape(q.text)}", ""]


def render_quotes(corpus: Corpus, codebook: Codebook) -> str:
    out = ["# Citaten", "", "[Terug naar het overzicht](index.md)", "",
           "- [Per interview](#per-interview)", "- [Per thema](#per-thema)",
           "- [Bijeenkomst](#bijeenkomst)", "- [Literatuur](#literatuur)", ""]
    interviews = sorted((q for q in corpus.quotes if q.kind == "interview"), key=_quote_order)
    out += [f"## {anchor('per-interview')}Per interview", ""]
    if not interviews:
        out += ["Geen interviewcitaten gevonden.", ""]
    current: object = object()
    for q in interviews:
        if q.number != current:
            current = q.number
            title = f"Interview {q.number}" if q.number is not None else "Interview zonder nummer"
            out += [f"### {anchor('interview-' + str(q.number if q.number is not None else 'onbekend'))}{title}", ""]
        out += _quote_entry(corpus, codebook, q)

    out += [f"## {anchor('per-thema')}Per thema", ""]
    ordered = sorted(corpus.quotes, key=lambda q: (q.document, q.ordinal, q.uid))
    for c in codebook.codes:
        ids = [q.uid for q in ordered if c.id in corpus.quote_codes.get(q.uid, ())]
        links = ", ".join(quote_link(u, "quotes.md") for u in ids) or "geen citaten"
        out.append(f"- {code_link(codebook, c.id, 'quotes.md', f'{c.id} {md_escape(c.name)}')}: {links}")
    out.append("")

    out += [f"## {anchor('bijeenkomst')}Bijeenkomst", ""]
    meetings = [q for q in ordered if q.kind == "meeting"]
    if not meetings:
        out += ["Geen citaten uit bijeenkomsten.", ""]
    for q in meetings:
        out += _quote_entry(corpus, codebook, q)

    out += [f"## {anchor('literatuur')}Literatuur", "",
            "Citaten uit de literatuur staan apart: het zijn geen uitspraken van best persons.", ""]
    literature = [q for q in ordered if q.kind not in ("interview", "meeting")]
    if not literature:
        out += ["Geen literatuurcitaten.", ""]
    for q in literature:
        out += _quote_entry(corpus, codebook, q)
    return "\n".join(out)


def render_digest(corpus: Corpus, codebook: Codebook) -> dict[str, str]:
    """File name -> Markdown text, in the order they are written."""
    pages = {"index.md": render_index(corpus, codebook)}
    for b in codebook.blocks:
        pages[block_file(b.id)] = render_block(corpus, codebook, b.id)
    pages["quotes.md"] = render_quotes(corpus, codebook)
    return pages


# --- I/O -----------------------------------------------------------------------------------------


def write_digest(conn: sqlite3.Connection, codebook: Codebook, out_dir: Path) -> list[Path]:
    """Write index.md, one blok-<id>.md per block and quotes.md; return their paths.

    Every page goes to a temporary file first and replaces the old page only when all
    pages are written, so a full disk or a read-only folder never leaves a digest half
    old, half new, or a page cut off.
    """
    out_dir = Path(out_dir)
    pages = render_digest(load_corpus(conn, codebook), codebook)
    temporary: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            tmp = out_dir / f".{name}.tmp"
            temporary.append(tmp)
            tmp.write_bytes((text.rstrip("\n") + "\n").encode("utf-8"))
        for tmp, name in zip(temporary, pages):
            os.replace(tmp, out_dir / name)
    except OSError as exc:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)
        raise BpError(f"cannot write the digest: {exc.strerror or exc}", exc.filename or out_dir) from None
    return [out_dir / name for name in pages]
