"""Term normalisation and the one compiled regex that finds every skill term in a text.

A plain alternation of a few thousand terms makes ``re`` try each of them at every position, so
the terms go into a character trie first and the trie becomes nested groups: at each position the
engine follows one branch per character, which keeps ``find`` fast on whole CVs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

# Space, hyphen and dash variants separate the words of a term interchangeably: "wound care",
# "wound-care" and a PDF's "wound\ncare" are the same term.
_SEPARATORS = " \t\n\r\f\v-\u2010\u2011\u2012\u2013\u2014\u00a0"
_SEP_RUN = re.compile(f"[{re.escape(_SEPARATORS)}]+")
_TIGHT = re.compile(r"\s*([/&])\s*")

_SEP_UNIT = r"(?:\s*[\-\u2010\u2011\u2012\u2013\u2014]\s*|\s+)"
_TIGHT_UNITS = {"/": r"\s*/\s*", "&": r"\s*&\s*"}
_APOSTROPHE_UNIT = "['\u2019]"

# A term starts where no word, e-mail or file-name character precedes it: the "js" of "Node.js",
# the "html" of "index.html" and the "python" of "python.dev@mail.com" are not terms.
_LEFT = r"(?<![\w@])(?<!\w\.)"
# ...and ends where no word character, '+', '#' or '@' follows ("C" in "C++", "Go" in "Good"),
# nor a lower-case dotted suffix ("python.org"); "C#.NET" still yields C# and .NET.
_RIGHT = r"(?![\w@+#])(?-i:(?!\.[a-z0-9]))"
# Ambiguous terms are also refused next to '&' ("R&D", "R & D"), glued to an apostrophe, hyphen or
# backslash ("Go-live", "C-level", "C's"), or followed by a slash and digit ("R/3").
_AMBIGUOUS_LEFT = r"(?<![&\-'\u2019\\])(?<!&\s)"
_AMBIGUOUS_RIGHT = r"(?!\s*&|['\u2019\-\\]|/\d|\.\w)"

_END = ""  # trie key marking that a term ends at this node; no unit is empty
_Trie: TypeAlias = dict[str, "_Trie"]


def term_key(term: str) -> str:
    """The lookup key of a term: lower case, one space between words, none around '/' and '&'."""
    key = term.replace("\u2019", "'").lower()
    key = _TIGHT.sub(r"\1", key)
    return _SEP_RUN.sub(" ", key).strip()


def _units(term: str, fold: bool) -> list[str]:
    units: list[str] = []
    text = _TIGHT.sub(r"\1", term.strip())
    for char in text:
        if char in _SEPARATORS:
            if not units or units[-1] != _SEP_UNIT:
                units.append(_SEP_UNIT)
        elif char in _TIGHT_UNITS:
            units.append(_TIGHT_UNITS[char])
        elif char in "'\u2019":
            units.append(_APOSTROPHE_UNIT)
        else:
            units.append(re.escape(char.lower() if fold else char))
    return units


def trie_regex(terms: Iterable[str], fold: bool) -> str:
    """One alternation (no surrounding group) matching exactly ``terms``, longest first, as a
    character trie; separators inside a term match any run of them. ``fold``: lower-cased, for
    a case-insensitive pattern. The parser builds its month names with it too."""
    root: _Trie = {}
    for term in terms:
        node = root
        for unit in _units(term, fold):
            node = node.setdefault(unit, {})
        node[_END] = {}
    return _node_regex(root)


def _node_regex(node: _Trie) -> str:
    ends_here = _END in node
    branches = [unit + _node_regex(child) for unit, child in node.items() if unit != _END]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    # Greedy '?' tries the longer terms first and backs off to the shorter one: longest match wins.
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if ends_here else group


def build_pattern(plain_terms: list[str], ambiguous_terms: list[str]) -> re.Pattern[str]:
    """One regex for all terms: plain ones case-insensitive, ambiguous ones exactly as written."""
    alternatives = []
    if plain_terms:
        alternatives.append(trie_regex(plain_terms, fold=True))
    if ambiguous_terms:
        cs = trie_regex(ambiguous_terms, fold=False)
        alternatives.append(f"{_AMBIGUOUS_LEFT}(?-i:{cs}){_AMBIGUOUS_RIGHT}")
    if not alternatives:
        return re.compile(r"(?!)")
    body = "|".join(f"(?:{a})" for a in alternatives)
    return re.compile(f"{_LEFT}(?:{body}){_RIGHT}", re.IGNORECASE)
