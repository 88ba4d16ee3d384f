import re

import pytest

from hirestream.parser.domain.experience import _MONTHS, _SEASONS
from hirestream.skills import trie_regex


def _naive(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)), re.I)


@pytest.mark.parametrize("words", [list(_MONTHS), list(_SEASONS), ["a.b", "a", "a+", "ab"]])
def test_matches_what_the_longest_first_alternation_matches(words: list[str]) -> None:
    trie = re.compile(trie_regex(words, fold=False), re.IGNORECASE)
    naive = _naive(words)
    probes = [
        *words,
        *(w.upper() for w in words),
        *(w + "x" for w in words),
        *(w[:-1] for w in words),
    ]
    probes += ["septembre 2019", "Sept. 2019", "marzo", "décembre", "junio de 2018", "xyz", ""]
    for probe in probes:
        assert bool(trie.fullmatch(probe)) == bool(naive.fullmatch(probe)), probe
        found, expected = trie.match(probe), naive.match(probe)
        assert (found and found.group()) == (expected and expected.group()), probe


def test_the_longer_word_wins_where_one_is_a_prefix_of_another() -> None:
    pattern = re.compile(trie_regex(["sep", "sept", "september"], fold=False))
    assert pattern.match("september 2019").group() == "september"
    assert pattern.match("sept. 2019").group() == "sept"
    assert re.fullmatch(
        rf"(?:{trie_regex(['sep', 'sept'], fold=False)})t", "sept"
    )  # backtracks to "sep"


def test_special_characters_are_literal() -> None:
    pattern = re.compile(trie_regex(["a.b", "c+"], fold=False))
    assert pattern.fullmatch("a.b") and pattern.fullmatch("c+")
    assert not pattern.fullmatch("axb") and not pattern.fullmatch("cc")
