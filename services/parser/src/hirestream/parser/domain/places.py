"""Whether a part of a job header names a place: a country, a state or province, or a US or
Canadian postal abbreviation ("MD", "ON"), from ISO 3166 through pycountry.

Job headers end with where the job was ("Camp Recess, Baltimore, MD", "Sales Associate, Cheap &
Tacky Clothing, Lincoln, NE"). Knowing that the tail is a place tells which part is the
employer: the one before the town. Pure: the names are read once per process from pycountry's
data, as ``load_taxonomy`` reads the skills.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

import pycountry

from hirestream.parser.domain.sections import fold, word_set

# Subdivisions that a CV names as the region of a town: states, provinces, territories, the
# countries of the United Kingdom, Spain's communities, Swiss cantons, German Länder. Counties,
# districts and regions are left out: their names ("Central", "North", "Eastern") are words.
_REGION_TYPES = frozenset(
    {"State", "Province", "Territory", "Union territory", "Country", "Autonomous community",
     "Canton", "Land", "Emirate", "Federal district", "Capital district"}
)  # fmt: skip
# Only the regions of countries whose CVs name them after a town: everywhere else, provinces
# with word-like names ("Delta", "Aurora", "Como") would read employers as places.
_REGION_COUNTRIES = frozenset(
    {"US", "CA", "MX", "BR", "AR", "GB", "IE", "DE", "AT", "CH", "ES", "IN", "PK", "AU", "NZ",
     "AE"}
)  # fmt: skip
_POSTAL_COUNTRIES = ("US", "CA")  # whose region abbreviations follow a town: "Austin, TX"
# Names that CVs use and ISO 3166 spells otherwise ("Türkiye", "Russian Federation").
_EXTRA = word_set(
    "usa u.s.a. u.s. us uk u.k. uae america russia korea holland turkey catalonia bavaria"
)
_BRACKETED = re.compile(r"\s*\[.*?\]\s*|\s*\(.*?\)\s*")


@functools.cache
def _names() -> frozenset[str]:
    names = set(_EXTRA)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if value := getattr(country, attribute, None):
                names.add(fold(value))
    for region in pycountry.subdivisions:
        if region.type in _REGION_TYPES and region.country_code in _REGION_COUNTRIES:
            names.add(fold(_BRACKETED.sub(" ", region.name).strip()))
    return frozenset(names)


@functools.cache
def _postal_codes() -> frozenset[str]:
    return frozenset(
        region.code.split("-", 1)[1]
        for region in pycountry.subdivisions
        if region.country_code in _POSTAL_COUNTRIES
    )


def is_place(part: str) -> bool:
    """A country, a region, or a US / Canadian region abbreviation written in capitals."""
    part = part.strip(" .,;:()")
    if not part:
        return False
    return part in _postal_codes() or fold(part) in _names()


_TOWN_WORD = re.compile(r"[A-ZÀ-Þ][\w'’.\-]*$")


def _town_like(part: str) -> bool:
    words = part.split()
    return 1 <= len(words) <= 3 and all(_TOWN_WORD.match(w) for w in words)


def without_place(
    parts: Sequence[str], organisation: Callable[[str], bool]
) -> tuple[list[str], bool]:
    """``parts`` without the place they end with ("…, Baltimore, MD", "…, Pune, India"), and
    whether there was one. The town before a region goes too, unless it is the only part left
    ("Macy's, MD" keeps Macy's) or reads as an ``organisation``."""
    kept = list(parts)
    found = False
    while len(kept) > 1 and is_place(kept[-1]):
        kept.pop()
        found = True
    if found and len(kept) > 1 and _town_like(kept[-1]) and not organisation(kept[-1]):
        kept.pop()
    return kept, found
