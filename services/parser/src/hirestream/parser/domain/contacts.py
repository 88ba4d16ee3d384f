"""Who the candidate is and how to reach them: name, e-mails, phones, links, location."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import phonenumbers

from hirestream.parser.domain.sections import Line, fold, heading_section, segments, word_set
from hirestream.skills import Taxonomy

EMAIL = re.compile(
    r"(?<![\w.+%'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
    r"(?![\w-])"
)
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|\b(?:[a-z]{2,3}\.)?(?:linkedin\.com|github\.com|gitlab\.com|behance\.net|dribbble\.com"
    r"|stackoverflow\.com|medium\.com|twitter\.com|x\.com)/[^\s<>\"'()\[\]{}]+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\""


def find_emails(text: str) -> list[str]:
    """Addresses in order of appearance, lower-cased and deduplicated."""
    seen: dict[str, None] = {}
    for m in EMAIL.finditer(text):
        seen.setdefault(m.group().lower())
    return list(seen)


def find_links(text: str) -> list[str]:
    """URLs (LinkedIn, GitHub, portfolios...) with a scheme, deduplicated."""
    seen: dict[str, str] = {}
    for m in _URL.finditer(text):
        if text[max(0, m.start() - 1) : m.start()] == "@":
            continue  # the domain of an e-mail address
        url = m.group().rstrip(_URL_TRAILING)
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        key = url.lower().split("://", 1)[1].removeprefix("www.").rstrip("/")
        seen.setdefault(key, url)
    return list(seen.values())


def find_phones(text: str, regions: Sequence[str]) -> list[str]:
    """Valid phone numbers in E.164, in order of appearance.

    Numbers written with a country code (+33, +44...) parse under any region; national ones
    ("06 12 34 56 78") only under their own, so callers pass the likely regions in order.
    """
    found: dict[str, int] = {}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            found.setdefault(e164, match.start)
    return sorted(found, key=found.__getitem__)


# --- name ---------------------------------------------------------------------------------

_NAME_LABEL = re.compile(
    r"^(?:full\s+name|name|nom(?:\s+complet)?|nom\s+et\s+pr[ée]nom|pr[ée]nom\s+et\s+nom"
    r"|nombre(?:\s+completo)?|nombre\s+y\s+apellidos|vor-?\s*und\s+nachname)\s*[:\-–]\s*(.+)$",
    re.IGNORECASE,
)
_PARTICLES = word_set(
    """
    de du des la le van von der den da di del dos das do bin al y e
    """
)
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ](?:[\w'’\-]*[^\W\d_])?$")
_INITIAL = re.compile(r"^[A-ZÀ-ÖØ-Þ]\.$")
_PLACEHOLDER = re.compile(r"^(?:x{2,}|n/?a)$", re.IGNORECASE)
# Words that mark a header segment as a title, heading, address or company rather than a person.
_NOT_NAME_WORDS = word_set(
    """
    resume résumé curriculum vitae vita cv profile profil summary contact name your email
    e-mail phone mobile tel telephone téléphone address adresse dirección page objective
    objectif experience education skills references template sample example guide student
    seeking internship intern position candidate applicant application portfolio website
    linkedin github professional personal details information date birth nationality marital
    status years year present job title seeker responsibility responsibilities selected
    accomplishments achievements magna cum laude font styles children technical tools
    engineer engineering developer development manager management nurse nursing accountant
    accounting analyst designer design consultant director assistant specialist coordinator
    officer teacher sales marketing senior junior lead executive administrator architect
    technician representative associate president founder chef cook driver clerk supervisor
    programmer scientist researcher writer editor producer therapist attorney lawyer
    paralegal recruiter agent advisor adviser cashier waiter waitress bartender barista
    receptionist secretary operator mechanic electrician plumber welder carpenter professor
    lecturer tutor instructor head chief vice ceo cto cfo software java python data web
    digital social media business project product customer service services solutions
    technologies systems group company inc ltd llc limited corporation corp university
    college school institute hospital clinic center centre street st avenue ave road rd lane
    drive city state county province district india usa united kingdom states new san santa
    los las qualifications highlights key core strengths expertise areas work history
    employment current willing relocate indeed ingénieur développeur responsable comptable
    infirmière infirmier assistante commercial stagiaire ingeniero desarrollador enfermera
    enfermero contable contador gerente asistente técnico ingenieur entwickler lebenslauf
    bewerbung anschreiben ba bs ma ms bsc msc mba phd bsn a an the and or of to in on at by
    for from with as is are be was do does not no yes my me i we our you it this that very
    most more last first next currently working build built knowledge transfer transfers
    updated update joined available upon request proficient skilled experienced highly
    strong excellent motivated results oriented driven detail team player looking
    opportunity opportunities goal goals mission overview introduction cover letter dear
    sincerely regards thank thanks please call visit view download top section level entry
    full time remote relocation visa reference extensive object
    """
)
# A name followed by one of these is the start of an institution or address ("Johns Hopkins
# University", "Lucina Hall Room 12"), not a person.
_PLACE_WORDS = word_set(
    """
    university universitys college school institute academy hall room building street st
    avenue ave road rd lane drive boulevard blvd way court beach high center centre hospital
    clinic inc ltd llc corp company group bank park city county district campus library
    """
)
# "Resume of Jane Doe", "CV – Jane Doe", "Curriculum vitae de Jean Dupont".
_TITLED = re.compile(
    r"^(?:resume|résumé|curriculum\s+vitae|cv|lebenslauf)(?:\s+(?:of|de|von|del))?"
    r"\s*[:\-–]?\s+(.+)$",
    re.IGNORECASE,
)
_HEADER_SEGMENTS = 12
_LABEL_SEGMENTS = 60


def _tidy_case(token: str) -> str:
    """'DUPONT' → 'Dupont', 'JEAN-PIERRE' → 'Jean-Pierre', "O'BRIEN" → "O'Brien"; mixed case
    is left as written."""
    if token.isupper() and len(token) > 2:
        return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), token.lower())
    return token


def _name_word(token: str) -> bool:
    if token in _PARTICLES or _INITIAL.match(token):
        return True
    words = fold(token.strip(".'’-")).split("-")
    if _PLACEHOLDER.match(token) or any(w in _NOT_NAME_WORDS or w in _PLACE_WORDS for w in words):
        return False
    return bool(_NAME_WORD.match(token) or _INITIAL.match(token))


def _upper(token: str) -> bool:
    return len(token) > 1 and token.isupper()


def _style_breaks(tokens: Sequence[str], token: str) -> bool:
    """Two Title-case words then an upper-case one ("Allen King ESB Developer"), or the
    reverse, is where the name stops; one switch ("Jean DUPONT") is a name's own style."""
    return (
        len(tokens) >= 2
        and _upper(tokens[-1]) == _upper(tokens[-2])
        and _upper(token) != _upper(tokens[-1])
    )


def _as_name(segment: str, taxonomy: Taxonomy) -> str | None:
    """The person's name a header segment starts with, if it starts with one.

    "Ivan Keeling 87 Some Street", "Hal Schmeler, MS, PMP" and "Jane Doe Senior Accountant"
    all start with a name; "Senior Accountant", "Curriculum Vitae" and "San Jose, CA" do not.
    """
    head = segment.strip(" \"'“”:;,-–—*#").split(",")[0]
    titled = _TITLED.match(head)
    if titled:
        head = titled.group(1)
    words = head.split()
    tokens: list[str] = []
    for token in words:
        if token.endswith(".") and len(token) > 3 and _name_word(token[:-1]):
            tokens.append(token[:-1])  # "Jacobson." ends the name
            break
        if not _name_word(token) or _style_breaks(tokens, token):
            if fold(token.strip(".,")) in _PLACE_WORDS:
                return None
            break
        tokens.append(token)
    while tokens and tokens[-1] in _PARTICLES:
        tokens.pop()
    following = words[len(tokens)] if len(tokens) < len(words) else ""
    if _upper(tokens[-1] if tokens else "") and len(tokens[-1]) <= 3 and following.isdigit():
        return None  # "Clayton VIC 3204", "Austin TX 78701": a town, a state, a postcode
    proper = [t for t in tokens if t not in _PARTICLES]
    if not 2 <= len(proper) <= 5 or all(_INITIAL.match(t) or len(t) == 1 for t in proper):
        return None
    if _INITIAL.match(proper[0]) and len(proper) == 2:
        return None  # "J. Smith" could be anyone's reference; keep full names only
    candidate = " ".join(tokens)
    # "Digital Marketing", "Oracle Java": every word a skill means a headline, not a person.
    covered = sum(len(m.surface.split()) for m in taxonomy.find(candidate))
    if covered >= len(tokens):
        return None
    return " ".join(_tidy_case(t) for t in tokens)


def find_name(lines: Sequence[Line], taxonomy: Taxonomy) -> str | None:
    """The candidate's name from the top of the CV, or None when nothing there looks like one.

    A labelled "Name: ..." among the first segments wins; otherwise the first header segment
    that starts with a person's name. Headings, titles ("Curriculum Vitae", "Senior
    Accountant"), contacts and addresses are skipped; nothing is guessed.
    """
    header = [seg for line in lines[:60] for seg in segments(line.text)][:_LABEL_SEGMENTS]
    for segment in header:
        labelled = _NAME_LABEL.match(segment)
        if labelled:
            name = _as_name(labelled.group(1), taxonomy)
            if name:
                return name
    for segment in header[:_HEADER_SEGMENTS]:
        if heading_section(segment) is None:
            name = _as_name(segment, taxonomy)
            if name:
                return name
    return None


# --- location -----------------------------------------------------------------------------

_LOCATION_LABEL = re.compile(
    r"^(?:location|address|city|based in|residence|adresse|ville|localisation|lieu"
    r"|direcci[oó]n|ciudad|ubicaci[oó]n|residencia|wohnort|adresse|anschrift)\s*[:\-–]\s*(.+)$",
    re.IGNORECASE,
)
_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
_PLACE = rf"{_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,2}}"
_CITY_REGION = re.compile(rf"^({_PLACE}),\s*({_PLACE})(?:,\s*{_PLACE})?(?:\s+\d{{4,6}})?$")
_CITY_STATE_ZIP = re.compile(
    r"(?:^|[\s,])((?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+),\s*([A-Z]{2})\s+\d{5}(?:-\d{4})?\b"
)


def find_location(lines: Sequence[Line], name: str | None, taxonomy: Taxonomy) -> str | None:
    """A labelled location, else a place in the header (before the first heading); or None.

    Places are "City, Region[, Country]", a US "City, ST 12345" or a European "69003 Lyon".
    """
    header = []
    for line in lines[:15]:
        if line.is_heading:
            break
        header.append(line)
    for line in lines[:15]:
        labelled = _LOCATION_LABEL.match(line.text)
        if labelled:
            return labelled.group(1).strip()[:80]
    for line in header:
        for segment in segments(line.text):
            cleaned = segment.strip(" \"'")
            if name and fold(name) in fold(cleaned):
                continue
            zipped = _CITY_STATE_ZIP.search(cleaned)
            if zipped:
                return f"{zipped.group(1)}, {zipped.group(2)}"
            postcode_first = _POSTCODE_CITY.search(cleaned)
            if postcode_first and not _STREET.search(postcode_first.group(1)):
                return postcode_first.group(1)
            # "12 Main St., Springfield, Illinois": the street is not the location.
            parts = cleaned.split(",")
            while len(parts) > 2 and (_STREET.search(parts[0]) or re.search(r"\d", parts[0])):
                parts = parts[1:]
            place = ",".join(parts).strip()
            if (
                _CITY_REGION.match(place)
                and not _STREET.search(place)
                and not _ORGANISATION.search(place)
                and not taxonomy.find(place)
            ):
                return place
    return None


_POSTCODE_CITY = re.compile(
    r"(?:^|[\s,])(?:[A-Z]{1,2}-)?\d{4,5}\s+([A-ZÀ-Þ][\w'’\-]+(?:[\s\-][A-ZÀ-Þ][\w'’\-]+){0,2})"
    r"(?:\s*(?:,|$))"
)
_STREET = re.compile(
    r"\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|drive|dr|way|suite|apt)\b\.?",
    re.IGNORECASE,
)
_ORGANISATION = re.compile(
    r"\b(?:inc|ltd|llc|gmbh|corp|corporation|company|systems|solutions|technologies|services"
    r"|university|college|school|hospital|bank)\b",
    re.IGNORECASE,
)


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the given spans blanked out, offsets unchanged."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def contact_spans(text: str) -> list[tuple[int, int]]:
    """Where e-mail addresses and URLs are: skill terms inside them are not skills."""
    return [m.span() for m in EMAIL.finditer(text)] + [m.span() for m in _URL.finditer(text)]
