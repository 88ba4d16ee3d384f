"""Certifications, licences and courses a CV names: what, who issued it, when. Pure.

A credential is read only where the text says it is one (never guessed from a product or a
skill name alone):

- a line of a certifications / licences section ("Certifications", "Certificats",
  "Certificaciones", "Zertifikate") that names a credential: a credential word, a taxonomy
  credential, or a short title with its abbreviation in brackets ("Red Hat Certified Engineer
  (RHCE)", "Linux Professional Institute level 1 (LPIC1)");
- anywhere, a title-like phrase around a credential word: "Certified …", "… Certification",
  "… Certificate", "Certificate in …", "Licensed …", "… Licence/License", "Licensure: …", and
  their French, Spanish and German forms ("certifié …", "Certificat de …", "Certificado en …",
  "Certificación …", "zertifizierter …", "… Zertifikat");
- anywhere, a taxonomy skill of the "Certifications" category, or any taxonomy skill written
  with its credential word ("BLS certification", "PMP certified").

The name is the taxonomy's canonical name when the taxonomy knows the credential, else the
phrase as written. A degree is the education reader's ("Licence en droit" is a French degree).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from hirestream.parser.domain.experience import MONTH_NAMES
from hirestream.parser.domain.experience import STANDALONE_YEAR as _YEAR
from hirestream.parser.domain.sections import CERTIFICATIONS, Line, fold
from hirestream.skills import SkillMatch, Taxonomy

CERTIFICATIONS_CATEGORY = "Certifications"  # the taxonomy's, as the scorer's cues name it

# The words that make a phrase a credential, EN/FR/ES/DE, singular (a plural names a list:
# "Certifications:", which the label rule reads).
_CUE_WORDS = (
    r"certified|certification|certificate|certifi[ée]e?s?|certificat|certificado|certificada"
    r"|certificaci[oó]n|zertifiziert\w*|zertifikat|zertifizierung|licen[cs]ed|licen[cs]e"
    r"|licensure|licencia|lizenz|accredited|accr[ée]dit[ée]e?"
)
_CUE = re.compile(rf"(?<![\w\-])(?:{_CUE_WORDS})(?![\w\-])", re.IGNORECASE)
_ANY_CUE = re.compile(r"certifi|licen[cs]|accr[ée]dit|zertifi|lizenz", re.IGNORECASE)  # cheap
# "Certifications:", "Certification Done:", "Safety Certifications:", "Licenses:", "Licensure:",
# "Certificaciones:": what follows the colon is a list of credentials.
_LABEL = re.compile(
    r"^(?:(?:[\w&/]+\s){0,2}(?:certifications|certificates|certifi[ée]s|certificats"
    r"|certificaciones|certificados|zertifikate|zertifizierungen|licen[cs]es|licencias|lizenzen"
    r"|accreditations)|(?:certification|certificate|certificat|certificado|certificaci[oó]n"
    r"|licen[cs]e|licensure|licencia|lizenz|accreditation)(?:\s+(?:done|obtained|held|earned))?"
    r"|(?:certifications?|licen[cs]es?)\s+(?:and|&)\s+licen[cs]es?)\s*:\s*(?P<rest>\S.*)$",
    re.IGNORECASE,
)
# A credential word naming a technical object, a company's standing, a formality or an award,
# not something the candidate holds: "SSL certificate", "ISO 9001 certified", "certificate of
# origin", "license key", "Certificate of Excellence", "License Number 1108".
_OBJECT_BEFORE = re.compile(
    r"\b(?:ssl|tls|x\.?509|pki|https?|digital|code[\s\-]signing|root|server|client|self[\s\-]signed"
    r"|iso(?:\s*[\d:]+)*|birth|death|marriage|medical|sick|fitness|experience|salary|employment"
    r"|software|product|gift|tax)\s+(?:certificates?|certified|certification|licen[cs]es?|licensed)\b",
    re.IGNORECASE,
)
_OBJECT_AFTER = re.compile(
    r"\b(?:certificates?|certification|licen[cs]es?|licensed)\s+(?:of\s+(?:origin|insurance"
    r"|deposits?|incorporation|occupancy|analysis|conformity|excellence|appreciation|merit"
    r"|participation|attendance)|authority|authorities|management|renewals?|revocation|store"
    r"|chain|pinning|enrol?lment|requests?|signing|administration|keys?|manager|server|files?"
    r"|compliance|agreements?|fees?|plates?|holder|number|no\b|#|software|products?|under|to)",
    re.IGNORECASE,
)
# Words that make a credential phrase something else: an award, a committee, a talk's title,
# a heading ("Certification and Honors"), primary school.
_NOT_A_CREDENTIAL = re.compile(
    r"\b(?:excellence|appreciation|participation|merit|attendance|award|awards|best|issues"
    r"|workshops?|committee|conference|seminars?|preparation|requirements|primary|honou?rs"
    r"|held)\b",
    re.IGNORECASE,
)
# Organisations named after the credential their members hold: "Board of Licensed Clinical
# Social Workers", "Institute of Certified Public Accountants".
_MEMBERS_OF = re.compile(
    r"\b(?:board|institute|association|society|council|college|chamber|academy|federation"
    r"|union|order|ordre|colegio)\s+(?:of|for|des|de)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Words that open a credential's sentence without belonging to its name.
_LEAD_IN = re.compile(
    r"^(?:(?:successfully|recently|currently|also|have|has|had|am|is|was|been|a|an|the|my"
    r"|completed|obtained|achieved|earned|received|awarded|gained|passed|holding|holds|hold"
    r"|attained|acquired|pursuing|done|did|got|became|become|being"
    r"|obtenu|obtenue|titulaire|obtuve|obtenido|obtenida|titular|erworben|as)\s+)+",
    re.IGNORECASE,
)
# The name stops at what says who issued it, when, or how well: " by X", " from X", " with
# 90%", " on March 16, 2015", "(Expected ...", " - Kansas".
_ISSUED_BY = (
    r"(?:issued\s+by|awarded\s+by|granted\s+by|by|from|through|via|at|d[ée]livr[ée]e?\s+par"
    r"|par|otorgado\s+por|expedido\s+por|por|von|bei)\s+(?=[A-ZÀ-Þ0-9])"
)
_ISSUER_CUE = re.compile(rf"\s+{_ISSUED_BY}")  # inside a phrase: where its name ends
_ISSUER_LEAD = re.compile(rf"^[\s,;:\-–]*{_ISSUED_BY}")  # after a name: who issued it
_TAIL = re.compile(
    r"\s+(?:with|on|in\s+(?:19|20)\d\d|earned|valid|expir\w*|expected|since|until|avec|depuis"
    r"|con|desde|seit|mit)\b.*$|\s*\((?:[^()]*\b(?:19|20)\d\d\b[^()]*|expected[^()]*)\)?.*$",
    re.IGNORECASE,
)
_DATES_ONLY = re.compile(r"^[\W\d_]*(?:(?:19[5-9]\d|20\d\d)[\W\d_]*)+$")
# Small words a credential's name may hold between its capitalised words.
_JOINERS = frozenset({
    "in", "of", "for", "and", "&", "on", "the", "to", "de", "du", "des", "d'", "en", "et", "la",
    "le", "el", "del", "y", "fur", "fuer", "und", "as", "a", "an",
})  # fmt: skip
# Organisations that issue credentials: a field naming one after the credential is its issuer.
_ISSUER_WORD = re.compile(
    r"\b(?:institute|institut|instituto|alliance|association|asociaci[oó]n|academy|acad[ée]mie"
    r"|academia|university|universit[ée]|universidad|universit[äa]t|college|council|board"
    r"|society|soci[ée]t[ée]|corporation|foundation|fondation|fundaci[oó]n|school|[ée]cole"
    r"|escuela|inc|ltd|llc|gmbh|sa|cross|department|ministry|minist[eè]re|ministerio|agency"
    r"|chamber|commission|authority|state\s+of|coursera|edx|udemy|cisco|microsoft|oracle"
    r"|google|amazon|aws|salesforce|comptia|citrix|vmware|sap|ibm|adobe|red\s+hat|pmi"
    r"|scrum\s+alliance|isaca|isc2|axelos|peoplecert|linux\s+foundation|niit)\b",
    re.IGNORECASE,
)
# Vendors whose name opens their credentials' names ("Cisco Certified Network Associate").
_VENDOR = re.compile(
    r"^(?P<vendor>Cisco|Microsoft|Oracle|Red Hat|AWS|Amazon Web Services|Google|Salesforce"
    r"|CompTIA|Citrix|VMware|SAP|IBM|Sun|Adobe|Apple|Juniper|Linux Foundation|Scrum Alliance)"
    r"\s+(?:Certified|Certification|Certificate)\b"
)
_SPLIT = re.compile(r"\s+~\s+|\s*[|•·▪◦●■►➢✓;]\s*|\s{2,}|\t")
_FIELD = re.compile(r"\s*,\s*|\s+[-–—]\s+")
_ABBREVIATION_IN_BRACKETS = re.compile(r"\([A-Z][A-Z0-9+/\-]{1,9}[®™]?(?:\s[\w\-]+)?\)")
_TOKEN = re.compile(r"\([^()]{1,40}\)|[\w][\w.+#/'’\-]*\+?")
_MAX_WORDS = 12


@dataclass(frozen=True, slots=True)
class Certification:
    name: str  # canonical (taxonomy) name, or the credential as written
    issuer: str | None
    year: int | None
    span: tuple[int, int] = field(default=(-1, -1), compare=False)  # the credential as written
    written: str = field(default="", compare=False)  # the credential as the CV writes it
    known: bool = field(default=False, compare=False)  # the taxonomy knows it
    in_section: bool = field(default=False, compare=False)  # read in a certifications section


def _title_token(token: str) -> bool:
    return token[:1].isupper() or token[:1].isdigit() or token.startswith("(")


def _is_cue(token: str) -> bool:
    return _CUE.fullmatch(token) is not None


# Past participles and gerunds that are a credential's own words, not an action's.
_NAME_PARTICIPLES = frozenset({
    "certified", "licensed", "accredited", "advanced", "registered", "chartered", "qualified",
    "applied", "associated", "integrated", "distinguished", "trained", "enrolled", "authorized",
    "authorised",
})  # fmt: skip


def _phrase(text: str, cue: re.Match[str]) -> tuple[int, int] | None:
    """The title-like phrase around a credential word: capitalised words (and small joiners
    between them) on each side, within the segment. None when the word stands in running text
    ("managed the certificates", "certified the accounts")."""
    tokens = list(_TOKEN.finditer(text))
    at = next((k for k, t in enumerate(tokens) if t.start() == cue.start()), None)
    if at is None:
        return None
    lo = at
    while lo > 0 and _title_token(tokens[lo - 1].group()):
        left = tokens[lo - 1].group()
        if text[tokens[lo - 1].end() : tokens[lo].start()].strip(" "):
            break  # a comma, colon or bracket ends the phrase
        if left.endswith(".") and len(left) > 3 and "." not in left[:-1]:
            break  # "... on Coursera. Certificate": a sentence ended there
        lo -= 1
    hi = at
    k = at + 1
    while k < len(tokens):
        gap = text[tokens[k - 1].end() : tokens[k].start()]
        if gap.strip(" ") and gap.strip(" ") not in ("&", "/"):
            break
        if tokens[k - 1].group().endswith(".") and len(tokens[k - 1].group()) > 3:
            break
        word = tokens[k].group()
        if _title_token(word) or _is_cue(word):
            hi = k
        elif fold(word) not in _JOINERS:
            break
        k += 1
    if hi == at and lo == at:
        return None  # the credential word alone names nothing
    if lo == at and not cue.group()[:1].isupper():
        return None  # "certified the accounts": lower case, nothing capitalised before it
    if hi == at and fold(cue.group()).startswith(("certified", "licensed", "accredited")):
        # "ISO 9001 certified plant", "PMP certified professional": an adjective before a noun
        following = text[tokens[at].end() :].lstrip(" ")
        if following[:1].isalpha() and following[:1].islower():
            return None
    if _MEMBERS_OF.search(text[: tokens[lo].start()]):
        return None  # "Board of Licensed Clinical Social Workers": an organisation
    first = fold(tokens[lo].group())
    if (
        first.endswith(("ed", "ing")) and first not in _NAME_PARTICIPLES and lo < at
        and not _LEAD_IN.match(text[tokens[lo].start() :])
    ):  # fmt: skip
        return None  # "Developed License Manager Suite": an action on a licence
    return tokens[lo].start(), tokens[hi].end()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Lead-in verbs, labels, a trailing year and punctuation off a phrase's span."""
    while start < end and text[start] in " -–—:,;.\"'“”*":
        start += 1
    lead = _LEAD_IN.match(text[start:end])
    if lead:
        start += lead.end()
    while True:
        before = end
        while end > start and text[end - 1] in " -–—:,;\"'“”*":
            end -= 1
        if (
            end > start
            and text[end - 1] == "."
            and not re.search(r"(?:\b\w\.)+\w?\.$", text[start:end])
        ):
            end -= 1
        year = re.search(r"\s*\(?(?:19[5-9]\d|20\d\d)\)?$", text[start:end])
        if year and year.start() > 0:
            end = start + year.start()
        if end == before:
            break
    piece = text[start:end]
    if piece.count("(") > piece.count(")"):
        end = start + len(piece[: piece.rfind("(")].rstrip())
    return start, end


def _issuer(rest: str) -> str | None:
    """Who issued it, from what follows the name: " by X", ", X Institute", " - Cisco"."""
    lead = _ISSUER_LEAD.match(rest)
    if lead:
        org = _FIELD.split(rest[lead.end() :], maxsplit=1)[0]
        org = re.split(
            rf"\s+(?:on|in|with|en|le|el)\s+|\.\s|\s*\(|\s+(?:{MONTH_NAMES})\b|\s+\d",
            org, maxsplit=1, flags=re.IGNORECASE,
        )[0]  # fmt: skip
        org = _YEAR.sub("", org).strip(" .,;:-–")
        return org if org and len(org.split()) <= 8 and org[:1].isupper() else None
    for part in _FIELD.split(rest.strip(" ,;:-–")):
        part = part.strip(' .,;:-–()"')
        if not part or _YEAR.search(part) or "http" in part or "www." in part:
            continue
        if _ISSUER_WORD.search(part) and len(part.split()) <= 8 and part[:1].isupper():
            return part
        break  # the first field after the name is the issuer or nothing
    return None


def _year(rest: str) -> int | None:
    years = [int(y) for y in _YEAR.findall(rest)]
    return max(years) if years else None


def credential_skill(name: str, taxonomy: Taxonomy) -> bool:
    """Whether the taxonomy knows this skill as a credential: its category says so, or one of
    its terms is written with a credential word ("PMP certified", "Certified ScrumMaster")."""
    skill = taxonomy.get(name)
    if skill is None:
        return False
    return skill.category == CERTIFICATIONS_CATEGORY or any(
        _CUE.search(term) for term in skill.terms
    )


def _known(
    line: Line, start: int, end: int, matches: Sequence[SkillMatch], taxonomy: Taxonomy
) -> str | None:
    """The taxonomy's name for the credential written at ``line.text[start:end]``: a credential
    skill that is the whole phrase but for credential words and an abbreviation in brackets
    ("PMP Certification", "Certified ScrumMaster (CSM)", "Project Management Professional
    (PMP)"). "Certificate in Child Psychology" is a course, not the skill."""
    inside = [
        m
        for m in matches
        if line.start + start <= m.start and m.end <= line.start + end
        and credential_skill(m.name, taxonomy)
    ]  # fmt: skip
    for m in inside:
        a, b = m.start - line.start, m.end - line.start
        if line.text[a - 1 : a] == "(" and line.text[b : b + 1] == ")" and b + 1 >= end:
            return m.name  # "Soporte Vital Básico (BLS)": the abbreviation names the credential
        rest = line.text[start:a] + " " + line.text[b:end]
        rest = _ABBREVIATION_IN_BRACKETS.sub(" ", rest)
        if all(_is_cue(w) for w in re.findall(r"[\w+]+", rest)):
            return m.name
    return None


def _named_taxonomy_credential(match: SkillMatch, taxonomy: Taxonomy, text: str) -> bool:
    """A taxonomy mention that is a credential by itself: a skill of the credentials category,
    or a skill written with its credential word ("BLS certification", "PMP certified"); not
    an organisation's acronym in brackets ("American Counseling Association (ACA)")."""
    skill = taxonomy.get(match.name)
    if skill is None:
        return False
    if not (skill.category == CERTIFICATIONS_CATEGORY or _CUE.search(match.surface)):
        return False
    before = text[: match.start]
    return not (before.endswith("(") and _ISSUER_WORD.search(before[-60:]))


def _is_degree(piece: str, degree: re.Pattern[str] | None) -> bool:
    """ "Licence en droit", "Licence professionnelle", "Diploma in ...": the education reader's."""
    if re.match(r"^licen[cs]e\b(?!\s*[:(])", piece, re.IGNORECASE):
        return True
    if re.search(r"\b(?:course|training|program(?:me)?)\b", piece, re.IGNORECASE):
        return False  # "Diploma Course In Java Technology": a course, not a degree
    if degree is None or any(
        not re.fullmatch(r"licen[cs]e", cue.group(), re.IGNORECASE) for cue in _CUE.finditer(piece)
    ):
        return False  # "Cisco Certified Internetwork Associate in ...": a credential word wins
    m = degree.search(piece)
    return m is not None and not re.fullmatch(r"licen[cs]e", m.group(), re.IGNORECASE)


# Sub-headings that end a certifications section's list without a heading of their own:
# memberships, conferences and workshops follow it in many CVs.
_SUBHEADING = re.compile(
    r"^(?:professional\s+)?(?:memberships?|affiliations?|conferences?|workshops?|seminars?"
    r"|awards?|honou?rs|publications?|presentations?|activities|volunteer\w*|associations?)"
    r"\s*:?$",
    re.IGNORECASE,
)


def find_certifications(
    lines: Sequence[Line],
    matches: Sequence[SkillMatch],
    taxonomy: Taxonomy,
    degree: re.Pattern[str] | None = None,
    name: str | None = None,
) -> list[Certification]:
    """Credentials in order of first mention, one per name. ``matches`` are the taxonomy's
    findings in the document (offsets in the document text); ``degree`` the education reader's
    degree pattern, whose findings are degrees and not certifications; ``name`` the candidate's,
    whose post-nominal letters name credentials ("Todd Kertzmann, MBA, PMP")."""
    found: list[Certification] = []
    seen: dict[str, int] = {}
    taken: list[tuple[int, int]] = []

    def add(entry: Certification) -> None:
        taken.append(entry.span)
        key = fold(entry.name)
        if key not in seen:
            seen[key] = len(found)
            found.append(entry)
            return
        old = found[seen[key]]
        found[seen[key]] = Certification(
            old.name, old.issuer or entry.issuer, old.year or entry.year, old.span, old.written,
            old.known, old.in_section or entry.in_section,
        )  # fmt: skip

    by_line = _matches_by_line(lines, matches)
    previous: int | None = None  # index in ``found`` of the last entry read in the section
    listing = False  # inside a certifications section, before any sub-heading ends its list
    for index, line in enumerate(lines):
        if line.is_heading:
            previous = None
            listing = line.section == CERTIFICATIONS
            continue
        if listing and _SUBHEADING.match(line.text):
            listing = False
        in_section = listing and line.section == CERTIFICATIONS
        before = len(found)
        # Outside a certifications section only a credential word opens the rules' reading.
        pieces = _pieces(line) if in_section or _ANY_CUE.search(line.text) else []
        for seg_start, seg in pieces:
            for start, end, rest in _credentials_in(seg, in_section, degree):
                a, b = seg_start + start, seg_start + end
                span = (line.start + a, line.start + b)
                written = line.text[a:b]
                following = lines[index + 1] if index + 1 < len(lines) else None
                if in_section and following is not None and _continues(written, following):
                    wrapped = following.text.rstrip(' "')
                    written = f"{written} {wrapped}"
                    span = (span[0], following.start + len(wrapped))
                name = _known(line, a, b, by_line[index], taxonomy)
                vendor = _VENDOR.match(written)
                issuer = _issuer(rest) or (vendor.group("vendor") if vendor else None)
                add(Certification(
                    name or written, issuer, _year(rest), span, written, name is not None,
                    in_section,
                ))  # fmt: skip
        post_nominals = _post_nominals(line, name) if index < 15 else set()
        for m in by_line[index]:
            if any(a <= m.start and m.end <= b for a, b in taken):
                continue
            if not (
                _named_taxonomy_credential(m, taxonomy, line.text[: m.start - line.start])
                or ((m.start, m.end) in post_nominals and credential_skill(m.name, taxonomy))
            ):
                continue
            rest = line.text[m.end - line.start :]
            add(Certification(
                m.name, _issuer(rest), _year(rest) if in_section else None, (m.start, m.end),
                m.surface, True, in_section,
            ))  # fmt: skip
        if len(found) > before:
            previous = len(found) - 1
        elif in_section and previous is not None and found[previous].year is None:
            # "Certificate earned on March 16, 2015": the date line of the entry above.
            if _YEAR.search(line.text) and (
                _DATES_ONLY.match(line.text) or line.text[:1].islower()
                or re.match(r"^(?:certificate|certification)\s+earned", line.text, re.I)
            ):  # fmt: skip
                old = found[previous]
                found[previous] = Certification(
                    old.name, old.issuer, _year(line.text), old.span, old.written, old.known,
                    old.in_section,
                )  # fmt: skip
            previous = None
        else:
            previous = None
    return found


def _post_nominals(line: Line, name: str | None) -> set[tuple[int, int]]:
    """Spans of the comma-separated letters after the candidate's name on its line
    ("Hal Schmeler, MS (CS), CSM, PMP"): credentials when the taxonomy knows them as such."""
    if not name:
        return set()
    at = fold(line.text).find(fold(name))
    if at < 0 or line.text[at + len(name) : at + len(name) + 1] != ",":
        return set()
    spans = set()
    pos = at + len(name)
    for piece in line.text[pos:].split(","):
        stripped = piece.strip(' "')
        if stripped and re.fullmatch(r"[A-Z][A-Za-z0-9.\-]{1,9}", stripped):
            start = line.start + pos + piece.find(stripped)
            spans.add((start, start + len(stripped)))
        pos += len(piece) + 1
    return spans


def _continues(written: str, following: Line) -> bool:
    """A credential's name wrapped onto the next line: "MCSD, Microsoft Certified" then
    "Solution Developer", "CMST, Certified Manager" then "of Software Testing"."""
    if following.is_heading or _CUE.search(following.text) or _YEAR.search(following.text):
        return False
    if _SUBHEADING.match(following.text):
        return False
    words = following.text.strip(' "').split()
    if not words or len(words) > 4 or "," in following.text:
        return False
    last = written.split()[-1]
    return (_is_cue(last) and all(w[:1].isupper() for w in words)) or (
        fold(words[0]) in _JOINERS and all(w[:1].isupper() for w in words[1:])
    )


def _matches_by_line(
    lines: Sequence[Line], matches: Sequence[SkillMatch]
) -> list[list[SkillMatch]]:
    out: list[list[SkillMatch]] = [[] for _ in lines]
    ordered = sorted(matches, key=lambda m: m.start)
    k = 0
    for index, line in enumerate(lines):
        end = line.start + len(line.text)
        while k < len(ordered) and ordered[k].start < line.start:
            k += 1
        j = k
        while j < len(ordered) and ordered[j].start < end:
            if ordered[j].end <= end:
                out[index].append(ordered[j])
            j += 1
    return out


def _pieces(line: Line) -> list[tuple[int, str]]:
    """The line's segments (bullets, pipes, "~", wide gaps), each with its offset in the line."""
    out = []
    pos = 0
    for part in _SPLIT.split(line.text):
        at = line.text.find(part, pos) if part else -1
        if part and part.strip() and at >= 0:
            out.append((at, part))
            pos = at + len(part)
    return out


# Words a heading or a list's label is made of: "Certification and Honors", "Other Licenses".
_GENERIC = frozenset({
    "additional", "other", "professional", "relevant", "courses", "course", "trainings",
    "training", "honors", "honours", "awards", "and", "&", "obtained", "earned", "achieved",
    "various", "my",
})  # fmt: skip
_ANSWERS = re.compile(
    r"^(?:yes|no|oui|non|s[ií]|ja|nein|none|n/?a|available|clean|full|valid)\b", re.IGNORECASE
)


def _acceptable(piece: str, degree: re.Pattern[str] | None) -> bool:
    words = re.findall(r"[\w'+]+", piece)
    if not words or len(piece.split()) > _MAX_WORDS or len(piece) > 120:
        return False
    if all(_is_cue(w) or fold(w) in _JOINERS or fold(w) in _GENERIC for w in words):
        return False  # a heading or label, naming no credential
    if _ANSWERS.match(piece) or _DATES_ONLY.match(piece) or "http" in piece:
        return False
    return not (
        _NOT_A_CREDENTIAL.search(piece) or _OBJECT_BEFORE.search(piece)
        or _OBJECT_AFTER.search(piece) or _is_degree(piece, degree)
    )  # fmt: skip


def _credentials_in(
    seg: str, in_section: bool, degree: re.Pattern[str] | None
) -> list[tuple[int, int, str]]:
    """(start, end, what follows) of each credential written in one segment of a line."""
    out: list[tuple[int, int, str]] = []
    label = _LABEL.match(seg)
    if label:
        base = label.start("rest")
        rest = label.group("rest")
        pos = 0
        for part in re.split(r",\s*|\s+and\s+|\s+et\s+|\s+y\s+|\s+und\s+", rest):
            at = rest.find(part, pos)
            pos = at + len(part)
            a, b = _trim(rest, at, at + len(part))
            piece = _TAIL.sub("", rest[a:b])
            if piece[:1].isupper() and _acceptable(piece, degree):
                out.append((base + a, base + a + len(piece), rest[a + len(piece) :]))
        return out
    if in_section:
        entry = _section_entry(seg, degree)
        if entry is not None:
            return [entry]
    for cue in _CUE.finditer(seg):
        if any(a <= cue.start() < b for a, b, _ in out):
            continue
        span = _phrase(seg, cue)
        if span is None:
            continue
        a, b = _trim(seg, *span)
        piece = seg[a:b]
        cut = _ISSUER_CUE.search(piece)
        if cut and cut.start() > 0 and not _CUE.search(piece[cut.end() :]):
            piece = piece[: cut.start()]
        piece = _TAIL.sub("", piece).rstrip(" ,;:-–")
        b = a + len(piece)
        if len(piece.split()) < 2 and not re.search(r"[A-Z]{2}", piece):
            continue
        if _acceptable(piece, degree):
            out.append((a, b, seg[b:]))
    return out


def _section_entry(seg: str, degree: re.Pattern[str] | None) -> tuple[int, int, str] | None:
    """A certifications-section segment naming a credential: its first field, when the segment
    carries a credential word or the field an abbreviation in brackets ("Red Hat Certified
    Engineer (RHCE)", "Project Management Professional (PMP), Project Management Institute",
    "E-Learning Ecologies by University of Illinois on Coursera. Certificate earned...")."""
    fields = _FIELD.split(seg, maxsplit=1)
    head = fields[0]
    # "MCSD, Microsoft Certified Solution Developer": an abbreviation, then what it stands for.
    if len(fields) > 1 and re.fullmatch(r"[A-Z][A-Z0-9+\-]{1,7}", head.strip()):
        second = _FIELD.split(fields[1], maxsplit=1)[0]
        if _CUE.search(second):
            at = seg.find(second)
            a, b = _trim(seg, at, at + len(second))
            return a, b, seg[b:]
    cut = _ISSUER_CUE.search(head)
    if cut and cut.start() > 0:
        head = head[: cut.start()]
    a, b = _trim(seg, 0, len(head))
    piece = _TAIL.sub("", seg[a:b]).rstrip(" ,;:-–.")
    b = a + len(piece)
    if not piece[:1].isupper() or not _acceptable(piece, degree):
        return None
    if re.match(r"^(?:member|membre|miembro|mitglied)\b", piece, re.IGNORECASE):
        return None  # a membership, not a credential
    if (
        _ISSUER_WORD.search(piece) and not _CUE.search(piece) and len(piece.split()) <= 4
        and not re.search(r"\d|\(", piece)
    ):  # fmt: skip
        return None  # "Universidad ORT Uruguay": who issued the entry above, wrapped
    words = piece.split()
    cue = _CUE.search(seg)
    if cue is not None and not (
        cue.start() == a and len(words) > 1 and words[1][:1].islower()
    ):  # "Certificate earned on ...": the date line of the entry above
        return a, b, seg[b:]
    if _ABBREVIATION_IN_BRACKETS.search(piece) and all(
        _title_token(w) or fold(w) in _JOINERS for w in words
    ):
        return a, b, seg[b:]
    return None


__all__ = ["CERTIFICATIONS_CATEGORY", "Certification", "credential_skill", "find_certifications"]
