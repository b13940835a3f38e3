"""The non-attribution guard: no export names who said what.

Run on an export's text (``content.content_texts``) before anything is written. Two kinds of
problem: a **name** of someone the team met (from the schedule's participants and the extra
attendees in notes), in any of its usual forms, is a hit; a **role** that identifies one person
("the chief executive") next to words of speech ("told us", a quotation mark) would attribute a
view, and is a warning the lead confirms. A role alone is a legitimate subject of a finding.
The review team's own names are not checked: they sign the letter.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from ..models import Attendee
from ..store import Store, week

TITLES = (
    "cllr",
    "councillor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "revd",
)
PERSONAL_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")
# Roles that are one person in any council, whatever the schedule says.
SINGLE_ROLES = (
    "chief executive",
    "portfolio holder",
    "lead member",
    "director of children's services",
    "head of the mash",
    "lscb chair",
    "independent chair",
    "designated doctor",
    "designated nurse",
)
SPEECH = re.compile(
    r"\b(?:said|says|told\s+us|tells\s+us|told\s+the\s+team|felt|feels|believes|described|commented"
    r"|reported|stated|explained|according\s+to)\b|[\"“”‘]",
    re.IGNORECASE,
)
# Surnames that are also everyday words: alone (or after an initial) they are matched only
# with a capital letter, and never on their own.
COMMON_WORDS = frozenset(
    """
    able age bank banks bell best bird black bond brown budd bush butler care carter case chair
    chance child church clay cook cooper cross day dean early east english fair faith field fields
    fisher ford fox free friend frost gay gold good green grey gray hall hand hardy head heart hill
    holiday hope house hunt hunter jay judge just key king knight lamb lane law lead little long
    love major march marsh mason may mill miller mills moody moon more morning moss nash new
    north nurse page park parks parsons pearl person plan power price pride rich rice rose royal
    sharp short silver small smart south spring steel stone strong summer swift taylor turner
    wall ward waters watt way webb well wells west white wild will wise wood woods young
""".split()
)
# Words that make a capitalised phrase a role or an organisation rather than a person's name.
ROLE_WORDS = frozenset(
    """
    academy adult adults adviser advisor agency assistant authority board borough business care
    carer centre chair chief child children city college commissioner commissioning committee
    conference constable consultant coordinator co-ordinator council county deputy designated
    detective director doctor early education executive families family foster gp group head
    health help hospital housing independent inspector lead lscb manager mash member mental
    midwife named nhs nurse officer offending parent partnership police practice practitioner
    primary principal probation representative reviewing safeguarding school secondary sector
    senior sergeant service services social specialist superintendent support team teacher
    trust unit visitor voluntary worker youth person people leaver
""".split()
)
# "Janet", "O'Neill", "McDonald", "Fenwick-Hale", "J." (but not "MASH" or "NHS")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-z]*(?:['’-]?[A-Z][a-z]+)*|[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*|[A-Z]\.?)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
EXCERPT = 40  # characters either side of a hit


@dataclass(frozen=True)
class GuardHit:
    where: str  # the section and finding the text belongs to
    phrase: str  # as it stands in the text
    kind: str  # "name" | "role"
    excerpt: str


@dataclass
class GuardResult:
    hits: list[GuardHit] = field(default_factory=list)  # names: the export is refused
    warnings: list[GuardHit] = field(default_factory=list)  # a role next to speech: the lead confirms

    @property
    def ok(self) -> bool:
        return not self.hits and not self.warnings


def check_attribution(
    store: Store, texts: Sequence[tuple[str, str]], allow: Collection[str] = ()
) -> GuardResult:
    """Names of people met and single-person roles next to speech in ``texts`` ((where, text)
    pairs); phrases in ``allow`` (any case) are kept deliberately and not reported."""
    allowed = [_phrase_pattern(phrase) for phrase in allow if phrase.strip()]
    names = [_name_pattern(name) for name in sorted(people_met(store))]
    roles = [_phrase_pattern(role) for role in sorted(single_roles(store))]
    result = GuardResult()
    seen: set[tuple[str, str, str]] = set()
    for where, text in texts:
        text = _plain(text)
        spans = [m.span() for pattern in names for m in pattern.finditer(text)]
        for start, end in _reportable(spans, text, allowed):
            _add(
                result.hits,
                seen,
                GuardHit(where, _phrase(text, start, end), "name", _excerpt(text, start, end)),
            )
        for sentence_start, sentence in _sentences(text):
            if not SPEECH.search(sentence):
                continue
            spans = [m.span() for pattern in roles for m in pattern.finditer(sentence)]
            for start, end in _reportable(spans, sentence, allowed):
                start, end = start + sentence_start, end + sentence_start
                _add(
                    result.warnings,
                    seen,
                    GuardHit(where, _phrase(text, start, end), "role", _excerpt(text, start, end)),
                )
    return result


def people_met(store: Store) -> set[str]:
    """Names of everyone the schedule or the notes' attendance lists name, the team aside."""
    team = {_fold(reviewer.name) for reviewer in week.reviewers(store)}
    names = {p.name for s in week.sessions(store) for p in s.participants if p.name.strip()}
    with store.read() as db:
        for row in db.query("SELECT attendance FROM notes WHERE attendance != '[]'"):
            for attendee in _attendees(row["attendance"]):
                if attendee.extra:
                    names.update(
                        text for text in (attendee.role, attendee.organisation) if looks_like_name(text)
                    )
    return {" ".join(name.split()) for name in names if _fold(name) not in team}


def single_roles(store: Store) -> set[str]:
    """Roles that point at one person: the built-in ones, and any role the schedule gives to
    one person only (count 1, in a single session, or always the same named person)."""
    seen: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for session in week.sessions(store):
        for participant in session.participants:
            seen[_fold(participant.role)].append((session.id, participant.count, _fold(participant.name)))
    # "head of commissioning (children...)", "detective inspector, public protection unit"
    shortened: dict[str, set[str]] = defaultdict(set)
    for role in seen:
        shortened[re.sub(r"\s*\(.*?\)", "", role).split(",")[0].strip()].add(role)
    roles = set(SINGLE_ROLES)
    for role, uses in seen.items():
        sessions = {session_id for session_id, _, _ in uses}
        names = {name for _, _, name in uses}
        one_session = len(sessions) == 1 and sum(count for _, count, _ in uses) == 1
        one_person = all(count == 1 for _, count, _ in uses) and len(names) == 1 and "" not in names
        if one_session or one_person:
            roles.add(role)
            # the short form too, unless other roles share it ("police officer (mash)")
            roles.update(short for short, longer in shortened.items() if longer == {role})
    return {role for role in roles if role}


def looks_like_name(text: str) -> bool:
    """'Janet Pryce', 'Dr F. Cairns': two to four capitalised words (or a title and one), none
    of them a word of a role or an organisation ('Deputy Head Teacher' is not a name)."""
    words = text.replace(".", ". ").split()
    titled = bool(words) and words[0].rstrip(".").lower() in TITLES
    words = words[1:] if titled else words
    if not 1 + (not titled) <= len(words) <= 4:
        return False
    return all(_NAME_TOKEN.match(w) and w.lower().rstrip(".") not in ROLE_WORDS for w in words)


def _name_pattern(name: str) -> re.Pattern[str]:
    """One pattern for every usual form of ``name``: in full, the surname alone, a title or
    initial with the surname."""
    words = name.replace(".", ". ").split()
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        words = words[1:]
    forms = [_words(name.split()), _words(words)]
    surname, first = words[-1], words[:-1]
    if len(words) == 1 and surname.lower() in COMMON_WORDS:
        forms = [f"(?-i:{re.escape(surname)})"]  # a one-word name that is also a word: "Young"
    if len(words) > 1:
        common = surname.lower() in COMMON_WORDS
        # a common-word surname needs its capital: "a young person" is not "A. Young"
        last = f"(?-i:{re.escape(surname)})" if common else re.escape(surname)
        forms.append(rf"(?:cllr|councillor)\.?\s+{re.escape(surname)}")
        forms.append(rf"(?:{'|'.join(PERSONAL_TITLES)})\.?\s+{last}")
        forms.append(rf"(?-i:{re.escape(first[0][0].upper())})(?:\.\s*|\s+){last}")
        if sum(c.isalpha() for c in surname) >= 3 and not common:
            forms.append(re.escape(surname))
    return re.compile(
        rf"(?<![\w'’-])(?:{'|'.join(sorted(set(forms), key=len, reverse=True))})(?![\w-])", re.I
    )


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){_words(_plain(phrase).split())}(?![\w-])", re.IGNORECASE)


def _words(words: list[str]) -> str:
    return r"\s+".join(re.escape(word) for word in words)


def _reportable(
    spans: list[tuple[int, int]], text: str, allowed: list[re.Pattern[str]]
) -> Iterator[tuple[int, int]]:
    """The longest of overlapping matches, leaving out those inside a phrase the lead allowed."""
    kept = [m.span() for pattern in allowed for m in pattern.finditer(text)]
    end_of_last = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= end_of_last and not any(a <= start and end <= b for a, b in kept):
            end_of_last = end
            yield start, end


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for gap in _SENTENCE.finditer(text):
        yield start, text[start : gap.start()]
        start = gap.end()
    yield start, text[start:]


def _add(found: list[GuardHit], seen: set[tuple[str, str, str]], hit: GuardHit) -> None:
    key = (hit.where, _fold(hit.phrase), hit.kind)
    if key not in seen:
        seen.add(key)
        found.append(hit)


def _phrase(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def _excerpt(text: str, start: int, end: int) -> str:
    before, after = max(0, start - EXCERPT), min(len(text), end + EXCERPT)
    middle = " ".join(text[before:after].split())
    return ("…" if before else "") + middle + ("…" if after < len(text) else "")


def _attendees(raw: str) -> list[Attendee]:
    try:
        return [Attendee.model_validate(entry) for entry in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


def _plain(text: str) -> str:
    return text.replace("’", "'").replace("\u00a0", " ")


def _fold(text: str) -> str:
    return " ".join(_plain(text).split()).casefold()
