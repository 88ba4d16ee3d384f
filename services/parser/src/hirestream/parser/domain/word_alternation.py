"""A regex alternation of many words, written as a trie.

Python's ``re`` tries an alternation's branches one by one and, under IGNORECASE, enters every
branch before it can tell that its first letter differs. The month names (a hundred of them,
in four languages) were tried that way at every word of every CV. Factored into a trie, a
position that cannot start a month is refused after a dozen first letters. The matches are
the same as those of the longest-first alternation: words sharing a prefix sit on one path,
where the longer one is tried first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A node of the trie: the next character → the node after it; "" marks the end of a word.
_Node = dict[str, "_Node"]


def alternation(words: Iterable[str]) -> str:
    """A regex (without a surrounding group) matching exactly ``words``, longest first."""
    trie: _Node = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern(trie)


def _pattern(node: _Node) -> str:
    branches = [re.escape(char) + _pattern(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word that ends here while longer ones go on: the longer ones are tried first.
    return f"(?:{body})?" if "" in node else body
