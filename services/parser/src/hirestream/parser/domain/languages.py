"""Languages: the one the CV is written in, and the ones the candidate speaks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from hirestream.parser.domain.sections import LANGUAGES, Line, fold, word_set

# Frequent short words that are (nearly) unique to one language.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": word_set(
        """
    the and of to in for with on at by from as is are was were be been this that have has i
    my our we you your it its an which or will would also years
    """
    ),
    "fr": word_set(
        """
    le la les des du de et en pour avec sur dans au aux par une est sont été je mon ma mes
    nous vous ce cette qui que ou où chez plus pendant depuis ans également lors afin ainsi dont
    leur
    """
    ),
    "es": word_set(
        """
    el la los las del de y en para con por una es son fue como yo mi mis nuestro que o desde
    hasta sobre entre al más durante años también según muy pero sus su este esta
    """
    ),
    "de": word_set(
        """
    der die das und in im mit für von zu zum zur den dem des ein eine ist sind war ich mein
    meine wir sie bei auf als oder aus seit bis jahre auch sowie nach über
    """
    ),
}
_WORD = re.compile(r"[^\W\d_]+")
_MIN_HITS = 3
_MIN_LEAD = 1.5  # the winner needs this many times the runner-up's hits


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the CV's language (en, fr, es, de) by stop words; None if unclear."""
    words = Counter(fold(w) for w in _WORD.findall(text[:20_000]))
    scores = {
        lang: sum(count for word, count in words.items() if word in stops)
        for lang, stops in _STOPWORDS.items()
    }
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_HITS or top < _MIN_LEAD * second:
        return None
    return best


_LANGUAGE_NAMES: dict[str, str] = {}
for _code, _names in {
    "en": "english anglais ingles englisch",
    "fr": "french francais frances franzosisch",
    "es": "spanish espagnol espanol castellano spanisch castilian",
    "de": "german allemand aleman deutsch",
    "it": "italian italien italiano italienisch",
    "pt": "portuguese portugais portugues portugiesisch",
    "nl": "dutch neerlandais neerlandes holandes niederlandisch nederlands flemish",
    "zh": "chinese mandarin cantonese chinois chino mandarin chinesisch",
    "ja": "japanese japonais japones japanisch",
    "ar": "arabic arabe arabisch",
    "ru": "russian russe ruso russisch",
    "hi": "hindi",
    "pl": "polish polonais polaco polnisch",
    "ko": "korean coreen coreano koreanisch",
    "tr": "turkish turc turco turkisch",
    "ca": "catalan catala katalanisch",
    "sv": "swedish suedois sueco schwedisch",
    "ro": "romanian roumain rumano rumanisch",
    "el": "greek grec griego griechisch",
    "tl": "tagalog filipino",
    "ur": "urdu ourdou",
    "bn": "bengali bangla",
    "ta": "tamil",
    "te": "telugu",
    "vi": "vietnamese vietnamien vietnamita",
    "he": "hebrew hebreu hebreo hebraisch",
    "uk": "ukrainian ukrainien ucraniano ukrainisch",
    "no": "norwegian norvegien noruego norwegisch",
    "da": "danish danois danes danisch",
    "fi": "finnish finnois finlandes finnisch",
    "cs": "czech tcheque checo tschechisch",
    "hu": "hungarian hongrois hungaro ungarisch",
    "sw": "swahili",
    "fa": "persian farsi persan persa persisch",
    "ml": "malayalam",
    "mr": "marathi",
    "kn": "kannada",
    "gu": "gujarati",
    "pa": "punjabi",
}.items():
    for _name in _names.split():
        _LANGUAGE_NAMES[_name] = _code

# Levels as CEFR: a code as written ("B2"), else the level word's usual equivalent (native C2,
# fluent and advanced C1, intermediate B1, basic A2: the scale the scorer folds words onto).
# Patterns are accent-free: they run on folded text.
_LEVELS: list[tuple[str, str]] = [
    (r"[abc][12]", ""),
    (r"native(?:\s+speaker)?|mother\s+tongue|first\s+language|bilingual|langue\s+maternelle"
     r"|maternelle|natif|native|bilingue|nativo|nativa|lengua\s+materna|materno|materna"
     r"|muttersprache|muttersprachlich", "C2"),
    (r"fluent(?:ly)?|full\s+professional(?:\s+proficiency)?|courant|couramment|fluido|fluida"
     r"|con\s+fluidez|fliessend|verhandlungssicher", "C1"),
    (r"advanced|proficient|professional\s+working(?:\s+proficiency)?|avancee?|tres\s+bon"
     r"|avanzado|avanzada|alto|sehr\s+gute?", "C1"),
    (r"intermediate|conversational|working\s+knowledge|good|intermediaire|bon(?:ne)?s?"
     r"|intermedio|intermedia|medio|gute?", "B1"),
    (r"basic|beginner|elementary|limited|notions|debutante?|scolaire|elementaire"
     r"|basico|basica|elemental|principiante|grundkenntnisse|basiskenntnisse", "A2"),
]  # fmt: skip
_LEVEL = re.compile(
    "|".join(f"(?P<l{i}>\\b(?:{pattern})\\b)" for i, (pattern, _) in enumerate(_LEVELS))
)
# "Languages:", "Language proficiency:", "Langues parlées :", "Idiomas:", "Sprachen:".
_LABEL = re.compile(
    r"\b(?:languages?(?:\s+(?:proficiency|known|spoken|skills))?|spoken\s+languages"
    r"|langues?(?:\s+parlees)?|competences\s+linguistiques|idiomas?|lenguas"
    r"|sprachen|sprachkenntnisse)\s*:(?P<rest>.{1,200})"
)


@dataclass(frozen=True, slots=True)
class Spoken:
    language: str  # ISO 639-1
    level: str | None
    span: tuple[int, int] = field(default=(-1, -1), compare=False)  # the line naming it


_CEFR = re.compile(r"\b[abc][12]\b")


def _level(text: str) -> str | None:
    code = _CEFR.search(text)  # "courant (C1)": the code is the more precise statement
    if code:
        return code.group().upper()
    m = _LEVEL.search(text)
    if m is None or m.lastgroup is None:
        return None
    index = int(m.lastgroup[1:])
    return m.group().upper() if index == 0 else _LEVELS[index][1]


def _spoken_in(text: str) -> list[Spoken]:
    folded = fold(text)  # offsets below are into the folded text only
    hits = [
        (m.start(), m.end(), _LANGUAGE_NAMES[m.group()])
        for m in re.finditer(r"[a-z]+", folded)
        if m.group() in _LANGUAGE_NAMES
    ]
    found = []
    for k, (start, end, code) in enumerate(hits):
        following = hits[k + 1][0] if k + 1 < len(hits) else len(folded)
        level = _level(folded[end:following])
        if level is None and k == 0:
            level = _level(folded[:start])  # "Native: English"
        found.append(Spoken(code, level))
    return found


def find_spoken(lines: Sequence[Line]) -> list[Spoken]:
    """Languages listed in a languages section or on a "Languages:" line, with their level."""
    spoken: dict[str, Spoken] = {}
    for line in lines:
        if line.is_heading:
            continue
        if line.section == LANGUAGES:
            entries = _spoken_in(line.text)
        else:
            labelled = _LABEL.search(fold(line.text))
            entries = _spoken_in(labelled.group("rest")) if labelled else []
        for entry in entries:
            span = (line.start, line.start + len(line.text))
            spoken.setdefault(entry.language, Spoken(entry.language, entry.level, span))
    return list(spoken.values())
