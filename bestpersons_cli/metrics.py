"""Scores of multi-label code assignments against gold: code level, block level, kappa."""

from __future__ import annotations

import numpy as np

from .codebook import Codebook


def block_matrix(Y: np.ndarray, codebook: Codebook) -> np.ndarray:
    """Block labels derived from code labels: a sentence is in block A if it has any A code."""
    blocks = codebook.block_ids
    index = {b: i for i, b in enumerate(blocks)}
    out = np.zeros((Y.shape[0], len(blocks)), dtype=int)
    for j, code in enumerate(codebook.code_ids):
        out[:, index[codebook.block_of(code)]] |= Y[:, j].astype(int)
    return out


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _micro_macro(Y: np.ndarray, P: np.ndarray) -> tuple[float, float, list[tuple[float, float, float, int]]]:
    per_label = []
    for j in range(Y.shape[1]):
        y, p = Y[:, j].astype(bool), P[:, j].astype(bool)
        per_label.append((*_prf((y & p).sum(), (~y & p).sum(), (y & ~p).sum()), int(y.sum())))
    tp = (Y.astype(bool) & P.astype(bool)).sum()
    fp = (~Y.astype(bool) & P.astype(bool)).sum()
    fn = (Y.astype(bool) & ~P.astype(bool)).sum()
    micro = _prf(tp, fp, fn)[2]
    supported = [f for (_, _, f, support) in per_label if support > 0]
    macro = float(np.mean(supported)) if supported else 0.0
    return micro, macro, per_label


def cohen_kappa(Y: np.ndarray, P: np.ndarray) -> float:
    """Kappa over every (sentence, code) decision, the usual reading for multi-label coding."""
    from sklearn.metrics import cohen_kappa_score

    y, p = Y.ravel().astype(int), P.ravel().astype(int)
    if len(set(y) | set(p)) < 2:
        return 1.0
    return float(cohen_kappa_score(y, p))


def score(Y: np.ndarray, P: np.ndarray, codebook: Codebook) -> dict:
    """All the figures a report needs, as plain JSON-able values rounded to 4 places."""
    micro, macro, per_label = _micro_macro(Y, P)
    B, BP = block_matrix(Y, codebook), block_matrix(P, codebook)
    block_micro, block_macro, per_block = _micro_macro(B, BP)
    r = lambda x: round(float(x), 4)  # noqa: E731
    return {
        "n": int(Y.shape[0]),
        "micro_f1": r(micro),
        "macro_f1": r(macro),
        "block_micro_f1": r(block_micro),
        "block_macro_f1": r(block_macro),
        "kappa": r(cohen_kappa(Y, P)),
        "block_kappa": r(cohen_kappa(B, BP)),
        "per_code": {
            code: {"precision": r(p), "recall": r(rc), "f1": r(f), "support": s}
            for code, (p, rc, f, s) in zip(codebook.code_ids, per_label)
        },
        "per_block": {
            block: {"precision": r(p), "recall": r(rc), "f1": r(f), "support": s}
            for block, (p, rc, f, s) in zip(codebook.block_ids, per_block)
        },
    }
