"""Text checks and sentence splitting (workshop_lib.speech.text)."""

import pytest

from workshop_lib.errors import WorkshopError
from workshop_lib.speech.text import check_text, split_sentences, unsayable_characters


def test_check_text_evens_out_spaces_and_line_ends():
    text = check_text("  Hello,\t  library! \r\n  Bye. ", engine="espeak-ng", max_characters=100)

    assert text == "Hello, library!\nBye."


@pytest.mark.parametrize("empty", ["", "   ", "\n\t\n"])
def test_empty_text_asks_for_a_sentence(empty):
    with pytest.raises(WorkshopError, match="no text to speak"):
        check_text(empty, engine="espeak-ng", max_characters=100)


def test_ten_thousand_characters_name_the_length_and_the_limit():
    with pytest.raises(WorkshopError) as caught:
        check_text("a" * 10_000, engine="vits", max_characters=1000)

    assert "10,000 characters" in str(caught.value)
    assert "at most 1,000" in str(caught.value)


def test_emoji_are_named_in_the_message():
    with pytest.raises(WorkshopError) as caught:
        check_text("Hello 😀 and 👨‍👩‍👧 again 😀", engine="festival", max_characters=100)

    message = str(caught.value)
    assert "festival cannot say these characters" in message
    assert "😀" in message
    assert message.count("😀") == 1


def test_another_alphabet_on_an_english_engine_suggests_espeak():
    with pytest.raises(WorkshopError) as caught:
        check_text("Привет, мир", engine="flite", max_characters=100, latin_only=True)

    assert "Cyrillic" in str(caught.value)
    assert "espeak-ng" in str(caught.value)


def test_another_alphabet_is_fine_for_a_multilingual_engine():
    assert check_text("Привет, мир", engine="espeak-ng", max_characters=100) == "Привет, мир"


def test_accents_and_currency_are_sayable_by_english_engines():
    assert unsayable_characters("Café costs €5 + 10% (naïve)", latin_only=True) == ([], [])


def test_shell_metacharacters_are_ordinary_text():
    text = '"; rm -rf / $(touch x) `ls` | & > out'

    assert check_text(text, engine="espeak-ng", max_characters=100) == text


def test_not_a_string_is_refused_clearly():
    with pytest.raises(WorkshopError, match="speaks text"):
        check_text(42, engine="espeak-ng", max_characters=100)


def test_sentences_end_at_full_stops_but_not_after_abbreviations():
    sentences = split_sentences(
        "Dr. Klatt built DECtalk. Mr. J. R. Smith used it! Did it sing? Yes."
    )

    assert sentences == [
        "Dr. Klatt built DECtalk.",
        "Mr. J. R. Smith used it!",
        "Did it sing?",
        "Yes.",
    ]


def test_line_breaks_end_sentences():
    assert split_sentences("Title\nFirst line.\n\nSecond") == ["Title", "First line.", "Second"]


def test_a_very_long_sentence_is_cut_into_short_pieces():
    sentence = ", ".join(["the machine talks to the library"] * 30) + "."

    pieces = split_sentences(sentence, longest=100)

    assert all(len(piece) <= 100 for piece in pieces)
    assert " ".join(pieces).replace("  ", " ") == sentence
