"""Wording cues for requirement extraction, kept apart so they can be read and tuned as a table.

All patterns are case-insensitive and written for postings in English, in any trade: they key on
how ads phrase obligations ("must", "a plus"), not on any field's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Softeners. Checked before must cues, because "not required" / "not a requirement" contain one.
NICE = _rx(
    r"\basset\b|\bassets\b|\ba plus\b|\bis a plus\b|\bplus\s*$|\bnice[- ]to[- ]have\b|\bnice have\b"
    r"|\bbonus\b|\bpreferred\b|\bpreferably\b|\bideally\b|\bis ideal\b|\bwould be ideal\b"
    r"|\bnot (?:a )?(?:strictly )?(?:required|requirement|mandatory|necessary|essential)\b"
    r"|\bwould rather teach\b|\bwould be (?:good|great|nice|helpful|an advantage)\b"
    r"|\badvantage(?:ous)?\b|\bdesir(?:able|ed)\b|\bbeneficial\b|\bhelpful\b|\bappreciated\b"
    r"|\b(?:that'?s|that is|it'?s) (?:fine|ok(?:ay)?)\b|\bdon'?t need to\b|\bdo not need to\b"
    r"|\bnot necessary\b|\boptional\b|\bwelcome\b|\bextra points\b|\bbrownie points\b"
)

# Adverbs that soften only what comes after them ("5 years in sales, ideally in SaaS").
FORWARD_NICE = _rx(r"[,;:–-]?\s*\b(?:ideally|preferably|optionally)\b")

# Unambiguous obligations: enough to pull a requirement out of a duties or "about us" section.
MUST_STRONG = _rx(
    r"\bmust\b|\brequired\b|\brequirements?\b|\bmandatory\b|\bessential\b|\bminimum\b"
    r"|\bat least\b|\bonly candidates\b|\bonly applicants\b|\bshould have\b|\bneeds? to have\b"
    r"|\byou(?:'ll| will)? (?:need|have to)\b"
)

# Softer obligations, trusted only where the text is about the candidate anyway (untitled prose).
MUST_SOFT = _rx(
    r"\bshould\b|\byou (?:have|are|bring|know)\b|\bexperience (?:with|in|as|of)\b"
    r"|\bexperienced\b|\bknowledge of\b|\bfamiliar(?:ity)?\b|\bproficien\w*|\bexpert(?:ise)? in\b"
    r"|\btrack record\b|\bproven\b|\bcomfortable with\b|\bhands-on\b|\bstrong\b|\bsolid\b"
)

# Negative signals apply to skills written after them, up to a contrast word.
NEGATIVE = _rx(
    r"\bnot open to\b|\bnot interested in\b|\bnot looking for\b"
    r"|\bno\s+(?=\S+\s+(?:please|thanks)\b)"
    r"|\bwe (?:do not|don'?t|won'?t|will not) (?:use|want|work with|accept|consider)\b"
    r"|\b(?:stay|steer) (?:away|clear) from\b|\bavoid\b|\bmoving away from\b"
)
CONTRAST = _rx(r"\bbut\b|\binstead\b|\brather\b|\bhowever\b|;")

# Statements about who the employer hopes to hire by gender, age, origin...: never requirements.
# Scoring people on protected characteristics is discriminatory, whatever the ad says.
PROTECTED = _rx(
    r"\bfemale\w*|\bmale\b|\bwom[ae]n\b|\bgender\w*|\btrans\b|\btransgender\b|\bnon-binary\b"
    r"|\bethnic\w*|\brac(?:e|ial)\b|\breligio\w*|\bpregnan\w*|\bmarital\b|\bmarried\b"
    r"|\byears old\b|\bage (?:of |between )?\d|\bnationality\b|\bdisabilit\w*|\bsexual\b"
)

LEADERSHIP = _rx(
    r"\bteam[- ]?lead(?:er|ership|s)?\b|\btech(?:nical)? lead\b|\bleadership\b"
    r"|\blead(?:ing|s)?\s+(?:(?:a|the|our|your|small|large|\w+)\s+){0,3}teams?\b"
    r"|\bmanag(?:e|es|ed|ing)\W+(?:\w+\W+){0,6}?(?:teams?|people|staff|engineers|developers"
    r"|employees|reports|nurses|projects)\b"
    r"|\bmentor(?:ing|ship|s)?\b|\bcoach(?:ing)? (?:a |the |our )?(?:team|staff|people)\b"
    r"|\b(?:people|engineering|team|line|staff) management\b|\bmanagement experience\b"
    r"|\bscrum master\b|\bproject manag(?:er|ement)\b|\bsupervis(?:e|es|ing|ory|or|ion)\b"
    r"|\bdirect reports\b|\bcharge nurse\b"
)

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "a": 1,
}  # fmt: skip
_NUM = r"(?:\d{1,2}(?:\.5)?|" + "|".join(k for k in _NUMBER_WORDS if k != "a") + r"|an?)"

YEARS = _rx(
    r"(?P<pre>\b(?:minimum|min\.?|at least|over|more than|upwards of)\s+(?:of\s+)?)?"
    rf"\b(?P<n>{_NUM})\s*(?:\(\d{{1,2}}\)\s*)?(?P<plus>\+|\s*plus\b)?"
    rf"(?:\s*(?:-|–|to)\s*(?P<n2>{_NUM})\s*\+?)?"
    r"\s*(?P<unit>years?|yrs?|months?)\b(?P<more>\s+or\s+(?:more|longer)\b)?"
    # Look ahead only: "5+ years ..., including 2 years in a supervisory role" holds two.
    r"(?=(?P<after>[^.;()]{0,60}))"
)
_EXPERIENCE_CONTEXT = _rx(
    r"^\W*(?:of\s+)?(?:[\w-]+\s+){0,4}?(?:experience|exp)\b"
    r"|^\W*(?:of\s+)?(?:professional\s+|relevant\s+|hands-on\s+|industry\s+|progressive\s+)?"
    r"(?:work|working|as|in|building|developing|designing|leading|managing|selling|practi[cs]ing"
    r"|post-qualification|post-graduate|with)\b"
)
_NOT_EXPERIENCE = _rx(r"^\W*(?:old|ago|in business|of history|of age|warranty)\b")
_PHRASE_END = _rx(r",|\bincluding\b|\band\b|\bof which\b")
# The field of an experience phrase ends where the sentence moves on to what the work involved
# ("5 years as a backend developer, working with node.js") or to a second length.
_FIELD_END = _rx(
    r",\s*(?:working|using|with|including|ideally|preferably|where|which|who)\b"
    r"|\bincluding\b|\bof which\b|\bwith\b|\bwhere\b|\bin a\b|\bin an\b|\bat a\b"
)
_MANAGEMENT_SCOPE = _rx(r"\bmanag\w*|\bleadership\b|\bleading\b|\bsupervis\w*|\bpeople lead")


@dataclass(frozen=True)
class YearsMention:
    """One experience-length phrase: "5+ years of experience as an HR generalist"."""

    months: int
    management: bool  # months of managing people, not of any work
    start: int
    # Where the phrase naming the field ("as an HR generalist") ends; skills mentioned between
    # the number and here say what the experience must be in.
    field_end: int


def years_mentions(text: str) -> list[YearsMention]:
    """Each experience-length phrase in ``text``, in order.

    A bare "6 months" or "32 weeks" is a schedule, not a requirement: a number counts only with
    a minimum marker ("at least", "5+", "or more") or experience wording right after it.
    """
    found: list[YearsMention] = []
    for match in YEARS.finditer(text):
        after = match.group("after")
        if _NOT_EXPERIENCE.match(after):
            continue
        marked = match.group("pre") or match.group("plus") or match.group("more")
        if not (marked or _EXPERIENCE_CONTEXT.match(after)):
            continue
        amount = _number(match.group("n"))
        if amount is None or not 0 < amount <= 40:
            continue
        months = round(amount * (1 if match.group("unit").lower().startswith("m") else 12))
        # "1+ years of engineering management experience" counts months of managing people;
        # only the phrase itself decides ("5 years, including 2 managing" is two phrases).
        phrase = _PHRASE_END.split(after, maxsplit=1)[0][:50]
        field = _FIELD_END.split(after, maxsplit=1)[0]
        found.append(
            YearsMention(
                months,
                bool(_MANAGEMENT_SCOPE.search(phrase)),
                match.start(),
                match.end() + len(field),
            )
        )
    return found


def _number(token: str) -> float | None:
    token = token.casefold()
    if token in ("a", "an"):
        return 1
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    try:
        return float(token)
    except ValueError:
        return None


EDUCATION = _rx(
    r"\bdegree\b(?! of\b)|\bbachelor'?s?\b|\bmaster'?s\b|\bb\.?sc?\.?n?\b|\bm\.?sc\.?\b"
    r"|\bph\.?d\b|\bmba\b|\bdiploma\b|\bgraduate of\b|\bgraduated\b|\buniversity\b|\bcollege\b"
    r"|\blicensure\b|\blicen[cs]e to practi[cs]e\b"
    r"|\b(?:valid|current|active|professional|nursing|practi[cs]ing|state|provincial)\s+licen[cs]e\b"
    r"|\bcertifi(?:cation|cate|ed)\b|\bdesignation\b|\bregist(?:ration|ered) (?:with|as|nurse)\b"
    r"|\bacademic\b|\bqualified (?:accountant|nurse|teacher)\b|\bchartered\b"
)

LOCATION = _rx(
    r"\brelocat\w*|\bon-?site\b|\bin[- ]office\b|\bin the office\b|\bcommut\w*"
    r"|\bmust (?:be |live |reside )?(?:based|located|living|residing) in\b"
    r"|\bwithin \d+ ?(?:km|miles|minutes)\b"
)

OTHER = _rx(
    r"\bdriver'?s? licen[cs]e\b|\bdriving licen[cs]e\b|\bsecurity clearance\b|\bclearance\b"
    r"|\bwilling(?:ness)? to travel\b|\btravel (?:required|up to)\b|\bbackground check\b"
    r"|\bauthori[sz]ed to work\b|\bwork permit\b|\bright to work\b|\bvisa\b|\bown (?:car|vehicle)\b"
)

LANGUAGE_CONTEXT = _rx(
    r"\bfluen\w*|\bbilingual\b|\bmultilingual\b|\bspeak\w*|\bspoken\b|\bwritten\b|\bnative\b"
    r"|\bmother[- ]tongue\b|\bproficien\w*|\blanguages?\b|\bconversational\b|\bcommunicat\w*"
    r"|\bcommand of\b|\bworking knowledge\b|\b[ABC][12]\b|\blevel\b"
)
BILINGUAL = _rx(r"\bbilingual\b")
# Where "bilingual" without named languages means French and English.
FRENCH_ENGLISH_REGION = _rx(
    r"\bmontr[eé]al\b|\bqu[eé]bec\b|\bcanada\b|\bcanadian\b|\bottawa\b|\bgatineau\b"
    r"|\blaval\b|\bnew brunswick\b|\bmoncton\b"
)

# A list of skills reads as alternatives ("any one will do") when introduced as examples or
# closed with "or", "/", "whatever", "etc."; otherwise ("Redis and Kafka") each one counts.
_LIST_DELIMITER = _rx(r"\s*(?:,|/|&|\+|\band/or\b|\band\b|\bor\b|\bas well as\b)\s*")
# "/" between items, not in "Windows 10/11".
ALTERNATIVE_SEPARATOR = _rx(r"\bor\b|/(?!\d)")
EXAMPLES_BEFORE = _rx(
    r"(?:\bsuch as|\be\.?g\.?|\bfor example|\bfor instance|\bincluding|\blike)\W*$"
)
EXAMPLES_AFTER = _rx(
    # up to two items the taxonomy did not recognise may close the list: "MySQL, C but ..."
    r"^(?:\s*,\s*[\w+#.-]{1,15}){0,2}\W*(?:(?:but|and)\s+(?:are\s+|we'?re\s+)?)?"
    r"(?:open to (?:whatever|others|anything)"
    r"|whatever|etc\b|or (?:similar|equivalent|other|another|the like|comparable|any)"
    r"|and (?:similar|the like|so on)|or (?:a )?similar)"
)


def is_list_separator(between: str) -> bool:
    """True when the text between two skill mentions only continues a list.

    Items the taxonomy does not know ("go lang" in "node.js, go lang, erlang") may sit between
    two delimiters, as long as they are short: "and strong knowledge of" ends the list.
    """
    parts = _LIST_DELIMITER.split(between.strip())
    if len(parts) == 1:
        return not parts[0].strip()
    inner_ok = all(len(part.split()) <= 2 for part in parts[1:-1])
    return not parts[0].strip() and not parts[-1].strip() and inner_ok


# How the company hires, not what it asks of candidates ("our interview process", "we document
# how we make hiring decisions", job-board footers).
HIRING_PROCESS = _rx(
    r"\binterview process\b|\brecruitment process\b|\bhiring (?:decisions|process)\b"
    r"|\bthese companies are also\b|\bpublic handbook\b|\bsend (?:an )?e-?mail to\b"
)

# The taxonomy's category for traits a CV cannot prove ("team player", "communication").
SOFT_SKILLS_CATEGORY = "Leadership & Soft Skills"
CERTIFICATIONS_CATEGORY = "Certifications"

# "a bachelor's degree in", "Master of", "BSc in": what follows is the degree's subject.
DEGREE_FIELD = _rx(
    r"\b(?:degree|bachelor'?s?|master'?s?|diploma|doctorate|ph\.?d\.?|mba|b\.?sc\.?|m\.?sc\.?"
    r"|b\.?a\.|m\.?a\.|b\.?eng\.?|m\.?eng\.?)(?:\s+degree)?\s+(?:in|of)\s+(?:the\s+)?"
)
# What may precede the first subject the taxonomy knows: "in finance, accounting ...".
DEGREE_SUBJECT_LEAD = _rx(r"^(?:[\w&-]+(?:\s+[\w&-]+)?\s*(?:,|/|\bor\b|\band\b)\s*){0,3}$")

# Sentences about the employer rather than the candidate, and the teams the job works with.
COMPANY_BLURB = _rx(
    r"\b(?:is|are|was|has been)\s+(?:a|an|the|one of the)\s+(?:[\w-]+[,\s]+){0,5}?"
    r"(?:startup|start-up|company|firm|business|leader|provider|agency|group|network"
    r"|organi[sz]ation|scale-?up|employer|platform)\b"
    r"|\b(?:backed by|founded in|headquartered|we are a|is profitable)\b"
)
COLLABORATORS = _rx(
    r"\b(?:cooperat\w*|collaborat\w*|liais\w*|partner\w* with|work(?:ing)? closely with"
    r"|interact\w* with|report(?:ing|s)? to)\b"
)
# Soft-skill names that mean leading people: they make a ``leadership`` requirement.
LEADERSHIP_SKILLS = frozenset(
    {
        "Leadership", "Team Leadership", "People Management", "Mentoring", "Coaching",
        "Team Management", "Staff Management", "Supervision", "Line Management",
        "Coaching and Development", "Executive Leadership", "Cross-Functional Leadership",
        "Delegation", "Team Building",
    }
)  # fmt: skip

# A job title naming a senior level: "Senior Accountant", "Sr. Engineer", "Principal Designer",
# "Lead Nurse", "Head of Sales", "Head Chef". Not "lead generation", not "Staff Nurse" (a grade).
SENIOR_TITLE = _rx(r"\bs[ée]nior\b|\bsr\b\.?|\bprincipal\b|\blead\b(?!\s+generation)|\bhead\b")

# Softeners that, in a benefits or duties section, describe an offer rather than an ask.
OFFER_WORDS = frozenset({"optional", "welcome"})
