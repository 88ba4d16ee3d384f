"""Work history: date ranges in en/fr/es/de, the jobs they head, and total months worked.

A bare year reads as January of that year on both ends, so "2016–2019" spans 37 months, close to
the three years a reader would say. Ranges count inclusively ("Jan–Mar 2019" is 3 months), as
recruiters and profile sites do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from hirestream.parser.domain.places import is_place, without_place
from hirestream.parser.domain.sections import (
    CERTIFICATIONS,
    EDUCATION,
    EXPERIENCE,
    LANGUAGES,
    SKILLS,
    Line,
    fold,
    segments,
)
from hirestream.skills import trie_regex

PRESENT = "present"

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january janv janvier ene enero januar jän jänner",
        "feb february fév fev févr fevr février fevrier febrero februar",
        "mar march mars marzo mär märz mrz maerz",
        "apr april avr avril abr abril",
        "may mai mayo",
        "jun june juin junio juni",
        "jul july juil juillet julio juli",
        "aug august aoû aou août aout ago agosto",
        "sep sept september septembre septiembre setiembre set",
        "oct october octobre octubre okt oktober",
        "nov november novembre noviembre",
        "dec december déc décembre decembre dic diciembre dez dezember",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# As a trie (the skills matcher's): under IGNORECASE, ``re`` enters every branch of a flat
# alternation before it tells that the first letter differs, and these run at every word.
_MONTH = trie_regex(_MONTHS, fold=False)
MONTH_NAMES = _MONTH  # a regex alternation of the month names, for the other readers
_YEAR = r"(?:19[5-9]\d|20\d\d)"
# A year standing alone (not inside a longer number), for the education and credential readers.
STANDALONE_YEAR = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
# One date: "Jan 2019", "janv. 2019", "enero de 2019", "03/2018", "2018-03", "2019".
_DATE = (
    rf"(?:(?:{_MONTH})\.?(?:\s+de)?[\s,']*{_YEAR}"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.\-]\s*{_YEAR}"
    rf"|{_YEAR}\s*[/.\-]\s*(?:0[1-9]|1[0-2])(?![\d/.\-])"
    rf"|{_YEAR})"
)
_NOW = (
    r"present|presently|current|currently|now|today|ongoing|onwards|to\s+date|till\s+date"
    r"|until\s+now|recently"
    r"|actualmente|actualidad|la\s+actualidad|la\s+fecha|presente|hoy|actual"
    r"|aujourd['’]hui|pr[ée]sent|maintenant|en\s+cours|ce\s+jour"
    r"|heute|jetzt|derzeit|aktuell|laufend|dato"
)
_TO = (
    r"\s*(?:-{1,2}|–|—|−|~|→|->|>)\s*"
    r"|\s+(?:to|until|till|through|thru|à|au|a|al|hasta|bis)\s+"
)
# "09/14-Present", "05/13-08/14": month and two-digit year, read only inside a range, where a
# dash or "present" shows it is a date and not part of a phone number or a score.
_SHORT_DATE = r"(?:0?[1-9]|1[0-2])/\d\d(?![\d/])"
# A season of a year ("Summer 2014", "Fall, 2002", "Summers 2009-2011"), as students and teachers
# date internships and terms: the months it covers, within its year (an academic winter term
# is the start of the named year).
_SEASONS: dict[str, tuple[int, int]] = {
    "spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (1, 2),
    "printemps": (3, 5), "été": (6, 8), "ete": (6, 8), "automne": (9, 11), "hiver": (1, 2),
    "primavera": (3, 5), "verano": (6, 8), "otoño": (9, 11), "otono": (9, 11), "invierno": (1, 2),
}  # fmt: skip
_SEASON = trie_regex(_SEASONS, fold=False)
_SEASON_DATE = rf"(?:{_SEASON})s?,?\s*\(?(?:de\s+|d['’]\s*)?{_YEAR}"  # "summer (2006)" too
_RANGE_DATE = rf"(?:{_SEASON_DATE}|{_DATE}|{_SHORT_DATE})"
_FULL_DATE = rf"\d{{1,2}}\s*[/.\-]\s*\d{{1,2}}\s*[/.\-]\s*{_YEAR}"
# One alternation behind one look-behind, the range forms sharing a start: the regex runs over
# every line and every block of a CV, and each alternative that began with its own look-behind
# and month names was tried again at every word.
_RANGE = re.compile(
    r"(?<![\w/.\-])(?:"
    rf"(?:(?P<start>{_RANGE_DATE})"
    # "September to November 2007", "Feb to August, 2013": the first month takes the year of
    # the second (the year before when it comes later in the year: "Nov - Feb 2015").
    rf"|(?P<bare_month>{_MONTH})\.?"
    # "2/1/2012 - Current", "04-09-2003 to 19-12-2007": day, month and year, read only in a
    # range (a lone one is more often a date of birth).
    rf"|(?P<full_start>{_FULL_DATE}))"
    rf"(?:(?:{_TO})"
    rf"(?(bare_month)(?P<month_end>(?:{_MONTH})\.?(?:\s+de)?[\s,']*{_YEAR})"
    rf"|(?(full_start)(?:(?P<full_end>{_FULL_DATE})|(?P<full_now>{_NOW}))"
    rf"|(?:(?P<end>{_RANGE_DATE})|(?P<now>{_NOW}))))"
    # "2016 to date", "Nov. 2008 till date": the "to" is the range's and its end's at once
    rf"|\s+(?P<till_date>(?:to|till|until|up\s*to)\s+date))"
    rf"(?![\w/])"
    rf"|(?P<season>{_SEASON_DATE})(?![\w/])"
    rf"|(?P<onwards>{_DATE})\s+onwards\b"
    # "20132015", "2016present", "2016to date": years whose dash the export dropped.
    rf"|(?P<glued>{_YEAR})(?:(?P<glued_end>{_YEAR})|(?P<glued_now>present|to\s*date))"
    rf"(?![\w/]))"
    rf"|\b(?:since|depuis(?:\s+le)?|desde(?:\s+el)?|seit)\s+(?P<since>{_DATE})(?![\w/])"
    rf"(?!{_TO}(?:{_DATE}|{_NOW}))",  # "since 2008 to 2014" is the range, not an open end
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"({_MONTH})\.?(?:\s+de)?[\s,']*({_YEAR})", re.IGNORECASE)
_NUMERIC = re.compile(rf"(\d{{1,2}})\s*[/.\-]\s*({_YEAR})|({_YEAR})\s*[/.\-]\s*(\d{{1,2}})")


# Two dates set apart only by spaces: a range whose dash was lost on the way ("February 2012
# June 2012" from an export that dropped the en dash).
_DASHLESS_RANGE = re.compile(
    rf"(?<=\b{_YEAR})[ \t]{{2,}}(?=(?:{_MONTH}|{_NOW}|{_YEAR}|{_FULL_DATE})\b)", re.IGNORECASE
)


def restore_range_dashes(text: str) -> str:
    """Length-preserving: the gap becomes a dash with the same number of characters."""
    return _DASHLESS_RANGE.sub(lambda m: " -" + m.group()[2:], text)


@dataclass(frozen=True, slots=True)
class DateRange:
    start: str  # YYYY-MM
    end: str  # YYYY-MM or "present"
    span: tuple[int, int]  # where the range is written, relative to the searched text


_SEASON_YEAR = re.compile(rf"({_SEASON})s?\W*(?:de\s+|d['’]\s*)?({_YEAR})", re.IGNORECASE)


def _season(text: str, last: bool) -> str | None:
    """'Summer 2014' → its first month ('2014-06'), or its last ('2014-08') when ``last``."""
    m = _SEASON_YEAR.fullmatch(text.strip())
    if m is None:
        return None
    first, final = _SEASONS[m.group(1).lower()]
    return f"{m.group(2)}-{final if last else first:02d}"


def parse_date(text: str) -> str | None:
    """'Jan 2019' / 'janv. 2019' / '03/2018' / '2018-03' / '2019' / 'Fall 2019' → 'YYYY-MM'
    (a season gives its first month)."""
    text = text.strip()
    if (season := _season(text, last=False)) is not None:
        return season
    m = _MONTH_YEAR.fullmatch(text)
    if m:
        name = m.group(1).lower()
        month = _MONTHS.get(name) or _MONTHS[fold(name)]
        return f"{m.group(2)}-{month:02d}"
    m = _NUMERIC.fullmatch(text)
    if m:
        number, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{year}-{int(number):02d}" if 1 <= int(number) <= 12 else None
    if re.fullmatch(_YEAR, text):
        return f"{text}-01"
    m = re.fullmatch(r"(\d{1,2})/(\d\d)", text)
    if m and 1 <= int(m.group(1)) <= 12:
        short = int(m.group(2))
        return f"{2000 + short if short < 50 else 1900 + short}-{int(m.group(1)):02d}"
    return None


_ANY_DATE = re.compile(rf"(?<![\w/.\-])(?:{_DATE})(?![\w/])", re.IGNORECASE)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where dates and date ranges are written: phone matching must not read "06/2016 - 12/2018"
    as a number."""
    return [m.span() for m in _RANGE.finditer(text)] + [m.span() for m in _ANY_DATE.finditer(text)]


_TWO_DIGITS = re.compile(r"\d\d")


def _month_before(month_name: str, end: str) -> str:
    """The start of "September to November 2007": the month in the end's year, or in the year
    before when it comes later in the year ("Nov - Feb 2015")."""
    month = _MONTHS.get(month_name.lower()) or _MONTHS[fold(month_name)]
    year = int(end[:4]) - (month > int(end[5:]))
    return f"{year}-{month:02d}"


_FULL_DATE_PARTS = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


def _full_dates(start: str, end: str | None) -> tuple[str | None, str | None]:
    """The months of a range of full dates; ``end`` None is an open end.

    Which number is the month: the one that cannot be a day's (a number over 12 is a day),
    else the one that varies while the other stays 1, as in US dates of the first of the month
    ("4/1/2009 - 7/1/2014"); else the written convention: month first with slashes (US), day
    first with dots and dashes ("04.09.2003", "19-12-2007")."""
    dates = [_FULL_DATE_PARTS.fullmatch(d.strip()) for d in (start, end) if d]
    if not all(dates):
        return None, None
    numbers = [(int(d.group(1)), int(d.group(3))) for d in dates if d]
    firsts, seconds = {n[0] for n in numbers}, {n[1] for n in numbers}
    if max(firsts) > 12 or max(seconds) > 12:
        month_first = max(firsts) <= 12
    elif len(numbers) == 2 and (seconds == {1}) != (firsts == {1}):
        month_first = seconds == {1}
    else:
        month_first = dates[0] is not None and dates[0].group(2) == "/"
    months = []
    for (first, second), d in zip(numbers, dates, strict=True):
        month = first if month_first else second
        if not 1 <= month <= 12 or d is None:
            return None, None
        months.append(f"{d.group(4)}-{month:02d}")
    return months[0], (months[1] if len(months) > 1 else PRESENT)


def _range_end(start: str, end: str) -> str | None:
    """A range's end: the last month of a season ("… - Spring 2013"); the last summer of
    "Summers 2009-2011", not January of its year."""
    if (season_end := _season(end, last=True)) is not None:
        return season_end
    parsed = parse_date(end)
    start_season = _season(start, last=True)
    if parsed and start_season and re.fullmatch(_YEAR, end.strip()):
        return parsed[:5] + start_season[5:]
    return parsed


def find_ranges(text: str) -> list[DateRange]:
    if not _TWO_DIGITS.search(text):
        return []  # every range names a year: most lines are ruled out at once
    ranges = []
    for m in _RANGE.finditer(text):
        start: str | None
        end: str | None
        if m.group("since") or m.group("onwards"):
            start, end = parse_date(m.group("since") or m.group("onwards")), PRESENT
        elif m.group("glued"):
            start = f"{m.group('glued')}-01"
            glued_end = m.group("glued_end")
            end = PRESENT if glued_end is None else f"{glued_end}-01"
            if glued_end and int(glued_end) - int(m.group("glued")) > 45:
                continue  # two years written together that are not a career span
        elif m.group("season"):
            start, end = _season(m.group("season"), False), _season(m.group("season"), True)
        elif m.group("full_start"):
            start, end = _full_dates(m.group("full_start"), m.group("full_end"))
        elif m.group("bare_month"):
            if m.group("bare_month")[0].islower() or m.group("till_date"):
                continue  # "you may - June 2009": a lower-case "may" is a verb
            end = parse_date(m.group("month_end"))
            start = _month_before(m.group("bare_month"), end) if end else None
        else:
            start = parse_date(m.group("start"))
            now = m.group("now") or m.group("till_date")
            end = PRESENT if now else _range_end(m.group("start"), m.group("end"))
        if start and end and (end == PRESENT or end >= start):
            ranges.append(DateRange(start, end, m.span()))
    return ranges


def _month_index(yyyy_mm: str) -> int:
    year, month = yyyy_mm.split("-")
    return int(year) * 12 + int(month) - 1


def merge_months(ranges: Iterable[tuple[str, str | None]], today: date) -> int:
    """Months covered by the union of ``(start, end)`` ranges, overlaps counted once.

    ``start``/``end`` are 'YYYY-MM'; an end of "present" runs to ``today``, an unknown end
    (None) counts the start month alone. Ranges are inclusive and clipped at ``today``.
    """
    now = today.year * 12 + today.month - 1
    spans = []
    for start, end in ranges:
        first = _month_index(start)
        last = now if end == PRESENT else first if end is None else _month_index(end)
        last = min(last, now)
        if first <= last:
            spans.append((first, last))
    total = 0
    current: tuple[int, int] | None = None
    for first, last in sorted(spans):
        if current is None or first > current[1] + 1:
            if current is not None:
                total += current[1] - current[0] + 1
            current = (first, last)
        else:
            current = (current[0], max(current[1], last))
    if current is not None:
        total += current[1] - current[0] + 1
    return total


# --- entries ------------------------------------------------------------------------------

_TITLE_WORDS = (
    "engineer|developer|programmer|manager|director|analyst|consultant|designer|nurse|"
    "accountant|auditor|assistant|associate|specialist|coordinator|officer|administrator|"
    "architect|technician|representative|executive|lead|head|intern|trainee|teacher|lecturer|"
    "professor|tutor|instructor|clerk|bookkeeper|controller|cashier|chef|cook|waiter|waitress|"
    "bartender|barista|driver|operator|supervisor|foreman|electrician|plumber|carpenter|welder|"
    "mechanic|therapist|physician|doctor|pharmacist|paramedic|caregiver|aide|receptionist|"
    "secretary|agent|advisor|adviser|recruiter|partner|founder|owner|president|vp|ceo|cto|cfo|"
    "coo|scientist|researcher|editor|writer|journalist|photographer|artist|producer|attorney|"
    "lawyer|paralegal|counsel|solicitor|salesperson|buyer|planner|strategist|marketer|"
    "inspector|surveyor|estimator|librarian|midwife|dietitian|psychologist|counselor|"
    "counsellor|social worker|rn|lpn|cna|trainer|expert|fellow|investigator|"
    "banker|scrum master|board member|staff member|rep|tester|sdet|dba|evangelist|reviewer|"
    "ambassador|economist|coach|mentor|practitioner|copywriter|registrar|worker|"
    "babysitter|provost|chancellor|internship|apprenticeship|"
    "team member|founding member|member of technical staff|member technical staff|"
    "phd student|graduate student|research student|student teaching|research scholar|"
    "visiting scholar|leadman|proofreader|proof reader|ranger|chief|content creator|"
    "headteacher|headmaster|headmistress|"
    "statistician|contractor|freelancer|trader|broker|underwriter|actuary|teller|apprentice|"
    "volunteer|attendant|stylist|hairdresser|technologist|hygienist|translator|interpreter|"
    "distributor|merchandiser|newsreader|anchor|reporter|presenter|educator|principal|dean|"
    "chairman|chairperson|treasurer|leader|laborer|labourer|roustabout|custodian|"
    "janitor|housekeeper|nanny|guard|steward|stewardess|pilot|captain|sergeant|lieutenant|"
    "ingénieur|ingenieur|développeur|developpeur|développeuse|chef de projet|responsable|"
    "directeur|directrice|analyste|consultante?|comptable|infirmier|infirmière|infirmiere|"
    "assistante?|technicien|technicienne|commercial|commerciale|vendeur|vendeuse|enseignante?|"
    "professeur|stagiaire|gestionnaire|chargée?|conseill[eè]re?|auditeur|auditrice|contrôleur|"
    "aide-soignante?|serveur|serveuse|cuisinier|chauffeur|graphiste|juriste|avocate?|"
    "secrétaire|agente?|"
    "ingeniera?|ingeniero|desarrollador|desarrolladora|programador|programadora|gerente|"
    "directora?|jefe|jefa|analista|consultora?|contable|contador|contadora|enfermera|enfermero|"
    "auxiliar|asistente|técnico|técnica|tecnico|vendedora?|profesora?|maestra|maestro|docente|"
    "becaria?|becario|practicante|coordinadora?|administrativa?|administrativo|diseñadora?|"
    "abogada?|abogado|camarera?|camarero|cocinera?|cocinero|conductora?|cajera?|cajero|"
    "recepcionista|secretaria|secretario|supervisora?|encargada?|encargado|"
    "krankenschwester|pflegefachkraft|lehrerin|lehrer|praktikantin|praktikant|"
    "sachbearbeiterin|sachbearbeiter|verkäuferin|verkäufer|assistentin|assistent|"
    "geschäftsführerin|geschäftsführer|referentin|referent|kaufmann|kauffrau|"
    "werkstudentin|werkstudent|mitarbeiterin|mitarbeiter"
)
_TITLE = re.compile(
    rf"\b(?:{_TITLE_WORDS})s?\b"
    r"|\w*(?:entwickler|ingenieur|leiter|berater|pfleger|techniker|buchhalter)(?:in)?\b",
    re.IGNORECASE,
)
_COMPANY = re.compile(
    r"\b(?:inc|ltd|llc|llp|gmbh|ag|sa|sas|sarl|s\.?l\.?|s\.?a\.?|plc|corp|corporation|company|"
    r"group|groupe|grupo|hospital|hôpital|hopital|clinic|clinique|clínica|klinik|bank|"
    r"banque|banco|solutions|technologies|services|consulting|limited|pvt|partners|associates|"
    r"agency|agence|agencia|studio|labs?)\b\.?"
    r"|\bco\.(?!\w)"  # "Acme & Co.", not the "co" of "Co-founder"
    # Nordic, Dutch, Italian, Malaysian legal forms, in capitals and at the name's end only
    # ("Redpill Linpro AB", "Thales Communications AS"; not the word "as")
    r"|\s(?-i:AB|AS|ASA|A/S|ApS|Oy|Oyj|BV|B\.V\.|NV|N\.V\.|SpA|S\.p\.A\.|SRL|Srl|Bhd|Sdn\s+Bhd)$",
    re.IGNORECASE,
)
# A part that ends with a role's head noun is a role even with an organisation's word in it
# ("Senior Training & Consulting Manager", "Client Services Manager", "Bank Teller"), unless
# that last word is the organisation's own ("Smith & Associates", "Acme Partners").
_TITLE_END = re.compile(rf"\b(?:{_TITLE_WORDS})s?[.:]?$", re.IGNORECASE)


def is_title_part(part: str) -> bool:
    """A part of a header that names a role rather than an employer."""
    if not _TITLE.search(part):
        return False
    if not _COMPANY.search(part):
        return True
    words = part.split()
    return bool(_TITLE_END.search(part)) and not _COMPANY.search(words[-1])


# Words that make a part read as an organisation when choosing the employer (not used to
# reject titles: "Systems Engineer", "Head of Department" are roles).
_EMPLOYER_HINT = re.compile(
    rf"{_COMPANY.pattern}"
    r"|\b(?:center|centre|foundation|institute|university|council|department|ministry|authority"
    r"|school|college|academy|trust|association|society|industries|enterprises|systems|media"
    r"|news|tv|restaurants?|hotels?|stores?|foods|motors|motorsports|hardware|software|networks"
    r"|communications|international|global|holdings|ventures|capital|energy|pharma\w*"
    r"|laboratories|force|army|navy|church|club|press|journal|magazine|publishing|bureau"
    r"|infotech|infosys|tcs|wipro|accenture|microsoft|oracle|ibm|cisco|google|amazon|deloitte"
    r"|capgemini|cognizant|hcl|mahindra"
    # companies named like their products, which the taxonomy also knows as skills: "SAP -
    # Bengaluru, Karnataka -" is an employer line
    r"|sap|mongodb|salesforce|adobe|atlassian|vmware|tableau|splunk|servicenow|workday|intel"
    r"|nvidia|qualcomm|siemens|bosch|hp|dell|apple|facebook|twitter|linkedin|netflix|uber"
    r"|paypal|ebay|yahoo|samsung|sony|lexisnexis|red\s+hat|docker|github|gitlab|hubspot"
    r"|shopify|twilio|zendesk|autodesk|ansys|mathworks|intuit|xerox|philips|nokia|ericsson"
    r"|motorola)\b",
    re.IGNORECASE,
)
# "Denver, Colorado", "Kansas City, MO", "Pune": a place written beside the employer.
_PLACE_ONLY = re.compile(
    r"^[A-ZÀ-Þ][\w.'’]*(?:\s[A-ZÀ-Þ][\w.'’]*){0,2},\s*[A-ZÀ-Þ][\w.'’]*(?:\s[A-ZÀ-Þ][\w.'’]*){0,2}"
    r"(?:,\s*[A-ZÀ-Þ][\w.'’]*(?:\s[A-ZÀ-Þ][\w.'’]*){0,2})?$"
)
_AT = re.compile(r"\s+(?:at|@|chez|en|bei)\s+", re.IGNORECASE)
_EDUCATION_WORDS = re.compile(
    r"\b(?:universit\w*|college|école|ecole|school|escuela|instituto?|institut|hochschule|"
    r"bachelor|master|licence|licenciatura|grado|diploma|diplôme|degree|b\.?sc|m\.?sc|mba|phd|"
    r"baccalaur\w*|bachillerato|abitur|studium)\b",
    re.IGNORECASE,
)
_NOT_EXPERIENCE = frozenset({EDUCATION, CERTIFICATIONS, LANGUAGES, SKILLS})
_EDGE = " \t,;:|()[]-–—•·/"


@dataclass(frozen=True, slots=True)
class Job:
    title: str | None
    company: str | None
    start: str
    end: str
    # Where the job is written (its header lines and dates) in the CV text; not part of what
    # makes two jobs the same.
    span: tuple[int, int] = field(default=(-1, -1), compare=False)


def _parts(text: str) -> list[str]:
    pieces: list[str] = []
    for segment in segments(text):
        at = _AT.split(segment, maxsplit=1)
        for piece in at if len(at) == 2 else re.split(r"\s*,\s*|\s*\(\s*|\s*\)\s*", segment):
            piece = piece.strip(_EDGE)
            if piece and any(c.isalpha() for c in piece):
                pieces.append(piece)
    return pieces


_NOT_A_FIELD = re.compile(
    r"\b(?:experience|history|education|skills|summary|objective|seeker|resume|references"
    r"|responsibilities|achievements|expérience|experiencia|erfahrung)\b",
    re.IGNORECASE,
)


def _field_like(part: str) -> bool:
    """A title or employer is a short capitalised phrase, not a sentence or a heading."""
    words = part.split()
    sentence = part.endswith(".") and not _COMPANY.search(words[-1])
    return (
        len(words) <= 8
        and len(part) <= 70
        and not sentence
        and (part[0].isupper() or part[0].isdigit())
        # "Education", "Experience" or "Skills" in a part is a heading's word, unless the part
        # names a role with it ("General Education Teacher", "Customer Experience Manager").
        and (not _NOT_A_FIELD.search(part) or (len(words) > 1 and bool(_TITLE.search(part))))
    )


@dataclass(frozen=True, slots=True)
class _Group:
    """The parts of one line near a date, and its employer when the line is laid out as an
    employer line ("Infosys Limited -  Pune, Maharashtra -")."""

    parts: list[str]
    employer: str | None = None
    place: bool = False  # the line reads as a place ("Denver, Colorado")


def _reads_as_place(text: str) -> bool:
    return bool(_PLACE_ONLY.match(text)) and not _EMPLOYER_HINT.search(text)


def _group(text: str) -> _Group:
    text = text.strip()
    return _Group(_unplaced(_parts(text)), employer_line(text), _reads_as_place(text))


def _own_group(text: str) -> _Group:
    """The dated line's own parts; a place on its own ("Rapid City, SD | January 2015 -
    Present") is where the job was, an employer only when nothing else is left."""
    return _Group(_unplaced(_parts(text)), place=_reads_as_place(text.strip(_EDGE)))


def _unplaced(parts: list[str]) -> list[str]:
    """The parts of a header without the place it ends with ("…, Houston, TX"): a town or a
    state is where the job was, not its employer."""
    kept, placed = without_place(parts, org_like)
    if placed and kept:
        kept[-1] = _without_town(kept[-1])
    return kept


def _without_town(part: str) -> str:
    """'Sr. Web Developer North Hollywood' (before ', CA'): a role with its town run into it,
    the town's capitalised words after the role's head noun cut off."""
    words = part.split()
    for end in range(len(words) - 1, max(0, len(words) - 4), -1):
        head, tail = " ".join(words[:end]), " ".join(words[end:])
        if _TITLE_END.search(head) and is_title_part(head) and not head.endswith(":"):
            town = all(w[:1].isupper() for w in words[end:])
            return head if town and not _TITLE.search(tail) and not org_like(tail) else part
    return part


def org_like(part: str) -> bool:
    if _COMPANY.search(part):
        return not is_title_part(part)
    return bool(_EMPLOYER_HINT.search(part) and not _TITLE.search(part))


# "Employer -", "Employer - City, Region -", "Employer -  City, Region": the line under a job
# title in the export of a large job board; the place after the dash is not the employer.
_TRAILING_DASH = re.compile(r"\s[-–]\s*$")
_PLACE_TAIL = re.compile(
    r"\s[-–]\s+[A-ZÀ-Þ][\w.'’]*(?:\s+[A-ZÀ-Þ][\w.'’]*){0,3}(?:,\s*[A-ZÀ-Þ][\w.'’]*"
    r"(?:\s+[A-ZÀ-Þ][\w.'’]*){0,3})?\s*[-–]?\s*$"
)


# What follows a header's place and is not part of it: "(subsidiary of HP)", "| 6/2010".
_AFTER_PLACE = re.compile(r"\s*[(|].*$")


def _placed_employer(text: str) -> str | None:
    """A line that is one employer and the place where it is: "Camp Recess, Baltimore, MD",
    "Heritage Bank, AL". A lone name before a region is an employer only
    when it reads as one ("Denver, Colorado" is a town)."""
    parts = [p.strip(_EDGE) for p in _AFTER_PLACE.sub("", text).split(",")]
    kept, found = without_place([p for p in parts if p], org_like)
    if not found or len(kept) != 1:
        return None
    employer = kept[0]
    if len(parts) - len(kept) < 2 and not org_like(employer):
        return None
    if (
        not _field_like(employer)
        or find_ranges(employer)
        or (_TITLE.search(employer) and not _COMPANY.search(employer))
    ):
        return None
    return employer


def employer_line(text: str) -> str | None:
    if not (_TRAILING_DASH.search(text) or _PLACE_TAIL.search(text)):
        return _placed_employer(text) if "," in text else None
    first = re.split(r"\s+[-–]\s*", text.strip(), maxsplit=1)[0].strip(_EDGE)
    if (
        not first
        or not any(c.isalpha() for c in first)
        or len(first.split()) > 8
        or find_ranges(first)
        or _NOT_A_FIELD.search(first)
        or (_TITLE.search(first) and not _COMPANY.search(first))
    ):
        return None
    return first


def _nearest_employer(
    groups: Sequence[_Group],
    parts: Sequence[list[str]],
    order: Sequence[int],
    title: str,
    rejected: Callable[[str], bool],
) -> str | None:
    """The employer nearest the title, group by group in ``order``: an employer line, else a
    part that reads as an organisation. A farther employer line ("1255 University, Montreal,
    QC": an address) loses to a nearer organisation ("Mutual Insurance Group")."""
    for i in order:
        employer = groups[i].employer
        if employer and not rejected(employer):
            return employer
        company = next(
            (p for p in parts[i] if p != title and org_like(p) and not rejected(p)), None
        )
        if company:
            return company
    return None


def _title_and_company(
    groups: Sequence[_Group], rejected: Callable[[str], bool]
) -> tuple[str | None, str | None]:
    """Pick the job title (a part naming a role) and the employer from groups of parts.

    ``groups`` are the dated line's own parts first, then the lines just above it, nearest
    first ("Acme Corp\\nAccountant\\n2016 – 2019"), then the line below. The employer is the
    one nearest the title's line: an employer line ("Acme -  Pune, Maharashtra -") or a part
    that reads as an organisation; else another part of the title's line or the nearest. A
    part ``rejected`` (one that names only skills: "Android", "SAP ABAP") is passed over.
    """
    employers = [g.employer for g in groups if g.employer and not rejected(g.employer)]
    parts = []
    for g in groups:
        usable = [p for p in g.parts if _field_like(p)]
        # A line that is nothing but a role may be written in lower case ("software engineer").
        if (
            not usable
            and len(g.parts) == 1
            and _TITLE.search(g.parts[0])
            and len(g.parts[0].split()) <= 6
        ):
            usable = g.parts
        parts.append([p for p in usable if p != g.employer])
    titles = [
        (index, part) for index, group in enumerate(parts) for part in group if is_title_part(part)
    ]
    if not titles:
        employer = employers[0] if employers else None
        employer = employer or next(
            (p for g in parts for p in g if org_like(p) and not rejected(p)), None
        )
        return None, employer
    index, title = titles[0]
    order = [index, *range(index), *range(index + 1, len(parts))]
    company = _nearest_employer(groups, parts, order, title, rejected)
    if company is None:
        # No employer-looking part: the other part of the title's own line, or of the line
        # nearest to it, but not a sentence fragment, a duration or a lone lower-case word; a
        # line that reads as a place only when nothing else is left.
        for places in (False, True):
            company = next(
                (
                    p
                    for i in order
                    if groups[i].place == places
                    for p in parts[i]
                    if p != title
                    and _employer_like(p)
                    and not is_title_part(p)
                    and not is_place(p)
                    and not rejected(p)
                ),
                None,
            )
            if company:
                break
    return title[:100], (company[:100] if company else None)


_DURATION = re.compile(
    r"\b(?:\d+\s*(?:hours?|hrs?|days?|weeks?|months?|years?|yrs?)|summers?|winters?|part[- ]time"
    r"|full[- ]time|ongoing|client|project|team size|duration|role)\b",
    re.IGNORECASE,
)


def _employer_like(part: str) -> bool:
    words = part.split()
    return not _DURATION.search(part) and len(words) <= 8


def _header_like(line: Line) -> bool:
    """A line that can name a job: short, not a bullet of duties, not a sentence."""
    text = line.text
    return (
        not line.is_heading
        and len(text) <= 90
        and not text.startswith(("-", "•", "*", "·", "–", "●", "➢", "〓", "○", "▪"))
        # A sentence ends with a full stop; "Consultant, Acme, Bombay, India." is a header, the
        # end of a sentence begun on the line above ("relational databases (Oracle, DB2).") not.
        and (
            not text.endswith(".")
            or (text.count(",") >= 2 and len(text.split()) <= 8 and not text[0].islower())
        )
        # the rest of a sentence from the line above ("product development and to measure
        # competitive threats and user satisfaction"), not a header in small letters, short
        # or in fields ("voice and accent trainer teleperformance microsoft - Jaipur -")
        and not (text[0].islower() and len(text.split()) > 5 and len(segments(text)) == 1)
    )


def _names_a_role(group: _Group) -> bool:
    return any(is_title_part(p) for p in group.parts)


def _names_an_employer(group: _Group) -> bool:
    return group.employer is not None or any(org_like(p) for p in group.parts)


def _never(part: str) -> bool:
    return False


def find_jobs(lines: Sequence[Line], rejected: Callable[[str], bool] = _never) -> list[Job]:
    """One job per dated line, from the experience section when the CV has one. ``rejected``:
    the parts that cannot be an employer (the profile passes those naming only skills)."""
    has_section = any(line.section == EXPERIENCE for line in lines)
    jobs: list[Job] = []
    for index, line in enumerate(lines):
        if has_section and line.section != EXPERIENCE:
            continue
        if line.section in _NOT_EXPERIENCE or line.is_heading:
            continue
        ranges = find_ranges(line.text)
        if not ranges:
            continue
        if _EDUCATION_WORDS.search(line.text) and not _TITLE.search(line.text):
            continue
        # The lines above, nearest first, up to the previous job's dates or duties; a title
        # line and an employer line complete the header ("Engineer\nAcme -  Pune -\n2016...").
        context: list[_Group] = []
        role = employer = False
        first = line.start
        for previous in reversed(lines[max(0, index - 3) : index]):
            if previous.is_heading or find_ranges(previous.text) or not _header_like(previous):
                break
            first = previous.start
            group = _group(previous.text)
            context.append(group)
            role = role or _names_a_role(group)
            employer = employer or _names_an_employer(group)
            if role and employer:
                break
        # "Acme Corp  2016 – 2019" over "Software Engineer": the title can sit just below;
        # a date alone over its job ("2004-2007\nBay Journal\nEditor") has both below.
        below: list[_Group] = []
        for following in lines[index + 1 : index + (2 if role or employer else 3)]:
            if not _header_like(following) or find_ranges(following.text):
                break
            below.append(_group(following.text))
        for position, found in enumerate(ranges):
            if len(ranges) == 1:
                own = line.text[: found.span[0]] + " | " + line.text[found.span[1] :]
            else:
                # Several jobs on one line: each owns the text up to the next range, or the text
                # before it when nothing follows ("Nurse, Hospital X 2016-2019; ...").
                nxt = ranges[position + 1].span[0] if position + 1 < len(ranges) else None
                own = line.text[found.span[1] : nxt]
                if not any(c.isalpha() for c in own):
                    prev = ranges[position - 1].span[1] if position else 0
                    own = line.text[prev : found.span[0]]
            groups = [_own_group(own), *(context if position == 0 else [])]
            if position == len(ranges) - 1:
                groups += below
            title, company = _title_and_company(groups, rejected)
            job = Job(title, company, found.start, found.end, (first, line.start + len(line.text)))
            if job not in jobs:  # the same job restated (summary and history) counts once
                jobs.append(job)
    return jobs


# --- leadership -----------------------------------------------------------------------------

_LEADERSHIP = re.compile(
    r"\b(?:manager|management|head|director|directora?|chief|vp|vice\s+president|president"
    r"|lead|leader|team\s+lead|tech\s+lead|supervisor|supervisora?|foreman|principal"
    r"|ceo|cto|cfo|coo|cio|founder|co-founder|owner|partner|superintendent|captain"
    r"|responsable|directeur|directrice|chef|cheffe|manageur|gérante?|gerante?|gerente"
    r"|jefe|jefa|encargad[oa]|coordinador[a]?|coordinat(?:eur|rice)|leiter(?:in)?"
    r"|teamleiter(?:in)?|geschäftsführer(?:in)?)\b",
    re.IGNORECASE,
)
_NOT_LEADERSHIP = re.compile(r"\b(?:assistant|asistente|assistante?|trainee|intern|stagiaire)\b",
                             re.IGNORECASE)  # fmt: skip


def is_leadership_title(title: str | None) -> bool:
    """A title naming a role that leads people or a function ("Engineering Manager", "Jefa de
    equipo"); assistants and trainees of such roles do not."""
    return bool(title and _LEADERSHIP.search(title) and not _NOT_LEADERSHIP.search(title))


def leadership_months(
    jobs: Iterable[tuple[str | None, str, str | None]], today: date
) -> int | None:
    """Months in leadership or management roles from ``(title, start, end)`` jobs, overlaps
    merged; None when there are no dated jobs at all (unknown, not zero)."""
    jobs = list(jobs)
    if not jobs:
        return None
    return merge_months(((s, e) for t, s, e in jobs if is_leadership_title(t)), today)
