from bestpersons_cli.records import MappedText
from bestpersons_cli.structure import choose_page_numbers, page_layout, paragraphs


def paras(text):
    return paragraphs(MappedText.identity(text))


def test_headings_paragraphs_and_sections():
    result = paras("Inleiding\n\nDit is een alinea die\ndoorloopt op de volgende regel.\n\nMethode\n\nNog een alinea.\n")
    assert [(p.kind, p.section) for p in result] == [
        ("heading", "Inleiding"), ("text", "Inleiding"), ("heading", "Methode"), ("text", "Methode"),
    ]
    assert result[1].text.text == "Dit is een alinea die doorloopt op de volgende regel."


def test_paragraph_cut_by_a_page_break_is_joined():
    result = paras("Gedurende het afgelopen\n\n\n\ndecennium kwam er meer zicht op.\n")
    assert [p.text.text for p in result] == ["Gedurende het afgelopen decennium kwam er meer zicht op."]


def test_bullets_are_paragraphs_of_their_own():
    result = paras("De types zijn:\n • alledaagse doeners: bevlogen mensen.\n • bruggenbouwers: verbinders.\n")
    assert [p.kind for p in result] == ["text", "bullet", "bullet"]
    assert result[1].text.text.startswith("alledaagse")


def test_figure_lines_become_labels_until_the_page_break():
    text = "Schema 1: Behoeften en werk\nUitdaging werk (B)\n\nVergt veel\n\n Uitdagend werk\n\nBest persons werken hard.\n"
    result = paras(text)
    assert [p.kind for p in result] == ["figure", "figure", "figure", "heading", "text"]


def test_markdown_headings():
    result = paras("# Titel\nEen zin.\n\n## Deel\n\nTekst hier.\n")
    assert [(p.kind, p.text.text) for p in result][:2] == [("heading", "Titel"), ("text", "Een zin.")]


def test_page_numbers_are_chosen_increasing_one_per_chunk():
    assert choose_page_numbers([[29], [30], [1, 51], [52, 9, 10], [16]]) == [29, 30, 51, 52, None]


def test_page_layout_knows_pages_only_where_markers_allow():
    original = "a\n\n\n\nb\n29\n\n\n\n30\nc\n\n\n\nd\n"
    numbers = [(original.index("29"), 29), (original.index("30"), 30)]
    layout = page_layout(original, numbers)
    assert layout.page_number_offsets == {original.index("29"), original.index("30")}
    assert layout.page_of(original.index("b")) == 29
    assert layout.page_of(original.index("c")) == 30
    assert layout.page_of(original.index("a")) is None
