import pytest
from hypothesis import given, settings, strategies as st

from bestpersons_cli.clean import (
    clean_text,
    is_garbage_line,
    repair_diaeresis_word,
)


def cleaned(text):
    result, dropped = clean_text(text)
    return result.text, dropped


def test_line_end_hyphen_is_joined_and_logged():
    text, dropped = cleaned("zich inzette in kwets-\nbare wijken in steden.\n")
    assert "kwetsbare wijken" in text
    assert [d.reason for d in dropped] == ["line-end-hyphen"]
    assert dropped[0].line == 1


def test_real_hyphens_stay():
    text, _ = cleaned("leidinggevenden in welzijns-, cultuur- en zorginstellingen en het best persons-onderzoek.\n")
    assert "welzijns-, cultuur- en zorginstellingen" in text
    assert "persons-onderzoek" in text


def test_hyphen_before_conjunction_at_line_end_stays():
    text, _ = cleaned("gebeurtenissen in werk-\nof privé-context\n")
    assert "werk- of privé-context" in text


def test_hyphen_chain_at_line_end_stays():
    text, _ = cleaned("in cycli van opstart-verloop-\nafloop zitten\n")
    assert "opstart-verloop-afloop" in text


def test_joined_form_elsewhere_in_document_decides():
    text, _ = cleaned("de werkcontext is breed. Dan de werk-\ncontext opnieuw.\n")
    assert text.count("werkcontext") == 2


def test_page_numbers_on_own_lines_are_removed():
    text, dropped = cleaned("eerste regel\n\n29\n\n\n\n30\n\ntweede regel\n")
    assert "29" not in text and "30" not in text
    assert [d.reason for d in dropped] == ["page-number", "page-number"]


def test_footnote_digits_and_marks_are_removed():
    text, dropped = cleaned("voor buurt of wijk.5 De vraag is “commons” .4 en perspectieven.² Klaar (2019).¢ Aan ons.\n")
    assert "wijk. De vraag" in text
    assert "“commons” . en" in text
    assert "perspectieven. Klaar" in text
    assert "(2019). Aan" in text
    assert {d.reason for d in dropped} == {"footnote-mark"}


def test_numbers_that_are_not_footnotes_stay():
    text, _ = cleaned("Het was 2.5 keer zo veel (p. 1) en 10% in 2019: 58 keer.\n")
    assert "2.5" in text and "(p. 1)" in text and "2019: 58" in text


def test_stray_closing_quote_is_a_footnote_mark():
    text, dropped = cleaned("risico’s op een vlucht in criminaliteit.”\n")
    assert text.strip().endswith("criminaliteit.")
    assert dropped and dropped[0].reason == "footnote-mark"


def test_matched_quotes_stay():
    text, dropped = cleaned("Hij zei: “Maar ik zit hier al 10 jaar.” Klaar.\n")
    assert "jaar.”" in text
    assert not dropped


def test_diaeresis_repair_uses_the_word_list():
    assert repair_diaeresis_word("ideeén") == "ideeën"
    assert repair_diaeresis_word("financiéle") == "financiële"
    assert repair_diaeresis_word("één") is None
    assert repair_diaeresis_word("privé") is None
    text, dropped = cleaned("nieuwe ideeén en financiéle steun, één keer privé.\n")
    assert "ideeën" in text and "financiële" in text and "één" in text and "privé" in text
    assert [d.replacement for d in dropped] == ["ë", "ë"]


def test_garbage_lines_are_detected():
    assert is_garbage_line("We( ga@( erom mﬂwfm aan [ gaan die raben aan")
    assert is_garbage_line("N /aww dfaal mfm%e/v% neef on de w% / /")
    assert is_garbage_line("\\\\\\")
    assert not is_garbage_line("Jornt van Zuylen, Dick de Ruijter, Saskia Welschen, Lex Veldboer, Jet Brinker, Ymkje")
    assert not is_garbage_line("Tonkens & Duyvendak, 2006; Oude Vrielink & Van de Wijdeven, 2008; Denters et al.,")
    assert not is_garbage_line("https://lpb.nl/artikel-stedelijke-vernieuwing-is-terug-van-weggeweest/")


def test_garbage_line_is_dropped_with_its_offsets():
    original = "Goede zin hier.\nWau(umwna(mm%mafe W%A(Z@(mma%mww(é\nNog een zin.\n"
    text, dropped = cleaned(original)
    assert "Wau" not in text
    [span] = dropped
    assert span.reason == "garbage-line" and span.line == 2
    assert original[span.start:span.end] == span.text


def test_offsets_point_back_into_the_original():
    original = "Zij die in kwets-\nbare wijken werken.5 Met ideeén\n\n12\n\nen meer.\n"
    result, dropped = clean_text(original)
    for word in ("kwetsbare", "ideeën", "werken.", "meer."):
        at = result.text.index(word)
        start, end = result.original_span(at, at + len(word))
        assert original[start] == word[0]
        assert original[end - 1] == word[-1]
    for span in dropped:
        assert original[span.start:span.end] == span.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("abcdeé \n-.”“5") + ["kwets", "bare", "ideeén", "\n\n12\n"]), max_size=60).map("".join))
def test_offsets_are_monotonic_and_in_range(text):
    result, dropped = clean_text(text)
    assert len(result.offsets) == len(result.text)
    assert all(0 <= o < max(len(text), 1) for o in result.offsets)
    assert list(result.offsets) == sorted(result.offsets)
    for span in dropped:
        assert text[span.start:span.end] == span.text


def test_unicode_is_normalised_and_logged():
    original = "Cafe\u0301 \ufb01ets\u00a0wijk\u200b en\x00 ook\x07 dit.\u2028Nieuw."
    result, dropped = clean_text(original)
    assert result.text == "Café fiets wijk en ook dit.\nNieuw."
    reasons = sorted(d.reason for d in dropped)
    assert reasons == ["control-char", "control-char", "invisible-char", "ligature", "unicode-nfc"]
    for span in dropped:
        assert original[span.start:span.end] == span.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_cleaning_never_raises_and_loses_nothing(text):
    """Any Unicode string: every non-whitespace character of the input survives in the
    cleaned text (pointed to by an offset) or lies in a logged dropped span, in order."""
    result, dropped = clean_text(text)
    assert list(result.offsets) == sorted(result.offsets)
    kept = set(result.offsets)
    covered = [False] * len(text)
    for span in dropped:
        assert text[span.start:span.end] == span.text
        for i in range(span.start, span.end):
            covered[i] = True
    for i, ch in enumerate(text):
        if not ch.isspace() and ch not in "\x00\x1c\x1d\x1e\x1f\x85":
            assert i in kept or covered[i], (i, ch)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_dropped_lines_are_counted_for_every_line_end_style(newline):
    text = newline.join(["Een zin.", "", "12", "", "Nog een zin.", "", "13", ""])
    _, dropped = clean_text(text)
    assert [(d.line, d.reason, d.text.strip()) for d in dropped] == [(3, "page-number", "12"), (7, "page-number", "13")]
