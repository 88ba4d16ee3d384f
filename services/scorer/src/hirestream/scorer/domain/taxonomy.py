"""The slice of ``hirestream.skills.Taxonomy`` the scorer relies on, as structural types.

The domain codes against these protocols rather than the concrete class so that tests can pass a
tiny fake, and so that the scorer only depends on the three methods it actually calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class SkillMatchLike(Protocol):
    """One skill mention: canonical ``name`` and the ``[start, end)`` span of ``surface``."""

    @property
    def name(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def surface(self) -> str: ...


class SkillLike(Protocol):
    @property
    def category(self) -> str: ...


class SkillTaxonomy(Protocol):
    def canonical(self, term: str) -> str | None: ...

    def get(self, term: str) -> SkillLike | None: ...

    def implied(self, name: str) -> frozenset[str]: ...

    def find(self, text: str) -> Sequence[SkillMatchLike]: ...
