"""Human languages and CEFR levels, shared by requirement extraction and scoring.

Postings say "fluent", CV parsers may say "C1", "native" or "en": everything is folded onto the
CEFR scale (A1 < ... < C2) and an English language name so both sides compare like with like.
"""

from __future__ import annotations

import re

CEFR_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")

# English name -> canonical name. Deliberately human languages only: programming languages are
# skills and come from the taxonomy.
LANGUAGE_NAMES: dict[str, str] = {
    name.casefold(): name
    for name in [
        "Arabic",
        "Basque",
        "Bengali",
        "Bulgarian",
        "Cantonese",
        "Catalan",
        "Chinese",
        "Croatian",
        "Czech",
        "Danish",
        "Dutch",
        "English",
        "Estonian",
        "Farsi",
        "Finnish",
        "French",
        "German",
        "Greek",
        "Hebrew",
        "Hindi",
        "Hungarian",
        "Icelandic",
        "Indonesian",
        "Italian",
        "Japanese",
        "Korean",
        "Latvian",
        "Lithuanian",
        "Malay",
        "Mandarin",
        "Norwegian",
        "Persian",
        "Polish",
        "Portuguese",
        "Punjabi",
        "Romanian",
        "Russian",
        "Serbian",
        "Slovak",
        "Slovenian",
        "Spanish",
        "Swahili",
        "Swedish",
        "Tagalog",
        "Tamil",
        "Thai",
        "Turkish",
        "Ukrainian",
        "Urdu",
        "Vietnamese",
        "Welsh",
    ]
}

# What CV parsers commonly emit instead of an English name: ISO 639-1 codes and endonyms.
_ALIASES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
    "français": "French", "francais": "French", "español": "Spanish", "espanol": "Spanish",
    "castellano": "Spanish", "deutsch": "German", "italiano": "Italian", "português": "Portuguese",
    "nederlands": "Dutch", "polski": "Polish", "svenska": "Swedish", "norsk": "Norwegian",
    "dansk": "Danish", "suomi": "Finnish", "anglais": "English", "inglés": "English",
    "ingles": "English", "englisch": "English",
}  # fmt: skip

# Level words, first match wins: strongest first so "native or bilingual" is C2, but the
# low-level qualifiers before the generic "proficiency" so "elementary proficiency" is A2
# (LinkedIn's scale).
_LEVEL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), level)
    for pattern, level in (
        (r"\bnative\b|\bmother[- ]tongue\b|\bfirst language\b", "C2"),
        (r"\bfluen\w*|\bbilingual\b|\bfull professional\b|\badvanced\b|\bexcellent\b", "C1"),
        (r"\blimited working\b", "B1"),
        (r"\bbasic\b|\belementary\b", "A2"),
        (r"\bbeginner\b|\bnotions?\b", "A1"),
        (r"\bproficien\w*|\bprofessional\b|\bbusiness\b|\bupper[- ]intermediate\b", "B2"),
        (r"\bstrong\b|\bgood\b|\bsolid\b", "B2"),
        (r"\bconversational\b|\bworking knowledge\b|\bintermediate\b", "B1"),
    )
)

_CEFR_CODE = re.compile(r"\b([ABC][12])\b", re.IGNORECASE)


def canonical_language(term: str) -> str | None:
    """``"english"``, ``"EN"``, ``"Français"`` -> ``"English"``/``"French"``; else None."""
    key = term.strip().casefold()
    return LANGUAGE_NAMES.get(key) or _ALIASES.get(key)


def level_from_text(text: str) -> str | None:
    """The CEFR level a phrase expresses: an explicit code wins over words; None if neither."""
    code = _CEFR_CODE.search(text)
    if code:
        return code.group(1).upper()
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(text):
            return level
    return None


def level_rank(level: str) -> int:
    """Position on the CEFR scale; raises ValueError for anything that is not a CEFR code."""
    return CEFR_LEVELS.index(level.upper())
