import numpy as np
import pytest

from bestpersons_cli.codebook import load_codebook
from bestpersons_cli.metrics import block_matrix, score
from conftest import CORPUS


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CORPUS / "codebook.toml")


def test_perfect_predictions_score_one(codebook):
    Y = np.zeros((4, 20), dtype=int)
    Y[0, 0] = Y[1, 5] = Y[2, 19] = 1
    result = score(Y, Y.copy(), codebook)
    assert result["micro_f1"] == 1.0 and result["kappa"] == 1.0 and result["block_micro_f1"] == 1.0


def test_blocks_are_derived_from_codes(codebook):
    Y = np.zeros((1, 20), dtype=int)
    Y[0, codebook.code_ids.index("C3")] = 1
    B = block_matrix(Y, codebook)
    assert B[0, codebook.block_ids.index("C")] == 1 and B.sum() == 1


def test_wrong_code_in_the_right_block(codebook):
    Y = np.zeros((2, 20), dtype=int)
    P = np.zeros((2, 20), dtype=int)
    Y[0, codebook.code_ids.index("C1")] = 1
    P[0, codebook.code_ids.index("C3")] = 1
    result = score(Y, P, codebook)
    assert result["micro_f1"] == 0.0
    assert result["block_micro_f1"] == 1.0
    assert result["per_code"]["C1"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
