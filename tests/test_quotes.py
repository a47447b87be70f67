from bestpersons_cli.quotes import find_quotes, interview_number
from bestpersons_cli.records import MappedText, Paragraph


def make(*texts):
    return [Paragraph(i, "text", "S", MappedText.identity(t)) for i, t in enumerate(texts)]


def quoted(paragraphs, q):
    return paragraphs[q.paragraph].text.text[q.start:q.end]


def test_block_quote_closed_by_citation():
    ps = make("Zoals een best person het verwoordt:", "Het werk is zwaar. Heel zwaar. [interview 12]")
    [q] = find_quotes(ps)
    assert (q.kind, q.source_id, q.number) == ("interview", "interview 12", 12)
    assert quoted(ps, q) == "Het werk is zwaar. Heel zwaar."


def test_citation_with_colon_introduces_the_next_paragraph_and_ocr_digit_is_read():
    ps = make("Zoals een van de geinterviewden het verwoordde [interview s]:", "Daar moet je niet zomaar overheen walsen.")
    [q] = find_quotes(ps)
    assert q.number == 5 and q.paragraph == 1
    assert quoted(ps, q) == "Daar moet je niet zomaar overheen walsen."


def test_inline_quote_before_citation():
    ps = make("Een best person zegt: “Heb je geen conflict, dan ben je te braaf,” stelde hij [interview 12]. Af en toe moet je vechten.")
    [q] = find_quotes(ps)
    assert quoted(ps, q) == "Heb je geen conflict, dan ben je te braaf,"


def test_meeting_quote():
    ps = make("Zij verwijzen naar “professionele passanten die niets leveren” [bijeenkomst 25 november 2020]. Verder.")
    [q] = find_quotes(ps)
    assert (q.kind, q.source_id) == ("meeting", "bijeenkomst 25 november 2020")


def test_literature_quotes_are_kept_apart():
    ps = make(
        "Van kwetsbare burgers, die “vaak hun handen vol hebben aan het overleven” (Uyterlinde, 2017: 30), valt minder te verwachten.",
        "Over best persons en “het systeem” zonder bron.",
    )
    [q] = find_quotes(ps)
    assert q.kind == "literature" and "Uyterlinde, 2017: 30" in q.source_id


def test_interview_number_ocr():
    assert interview_number("s") == 5
    assert interview_number("12") == 12
    assert interview_number("x") is None
