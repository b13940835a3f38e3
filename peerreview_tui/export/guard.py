"""The non-attribution guard: no export names who said what.

Run on an export's text (``content.content_texts``) before anything is written, and on a finding
whenever it is written, agreed or given a quote (``check_finding``, ``check_saved_finding``).
Three kinds of problem:

- a **name** of someone the team met (the schedule's participants, extra attendees in notes), in
  any usual form: in full, the surname or the first name alone, with a title or an initial,
  possessive ("Hartley's view") or hyphenated ("the Hartley-led review"). A *hit*: the export is
  refused. Names are proper nouns, so only their capitalised forms count ("the mill closed" is
  not Mill), and a name that is also a common English word ("Will", "Hall") counts alone only
  next to words of speech ("Will told us") or, for a first name, inside a sentence;
- a **role** that one person holds ("the DCS", "the chief executive": ``data/guard_words.yaml``
  and the schedule's one-person roles) in a sentence with words of speech: it would attribute a
  view. A *warning* the lead confirms by allowing the phrase;
- a **possible name** of someone the schedule does not know (a child or a parent in a case-audit
  note): a capitalised word inside a sentence that is neither an English word (wordfreq) nor the
  review's own vocabulary. The exporter checks and acknowledges these.

The review team's own names are not checked: they sign the letter. Group labels written as names
("Eight social workers") never yield names.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

import yaml

from ..models import Attendee, letter_of
from ..schedule_checks import looks_like_group, plural_role
from ..store import Store, week
from ..store.findings import get_finding, linked_evidence

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
# Words of speech and attribution: a one-person role in the same sentence, or a name that is also
# an English word right next to one, would put a view in someone's mouth.
_SPEECH_WORDS = (
    r"said|says|saying|told\s+(?:us|me|the\s+team|the\s+review(?:ers)?|reviewers|peers)|tells\s+us"
    r"|felt|feels|believes|believed|thinks|thought|described|describes|commented|reported|stated"
    r"|explained|explains|acknowledged|acknowledges|admitted|admits|conceded|concedes|argued|argues"
    r"|claimed|claims|insisted|insists|remarked|recalled|recognised|recognises|recognized"
    r"|recognizes|confirmed|confirms|mentioned|asserted|emphasised|emphasized|stressed|warned"
    r"|complained|suggested|expressed|spoke\s+(?:of|about|highly|warmly)|put\s+it|quoted"
    r"|according\s+to|in\s+the\s+words\s+of|in\s+(?:his|her|their)\s+(?:view|words|opinion)"
)
_ATTRIBUTION_NOUNS = r"view|views|words|account|opinion|comments?|feelings?|perspective|position|assessment"
SPEECH = re.compile(
    rf"\b(?:{_SPEECH_WORDS})\b|['’]s\s+(?:{_ATTRIBUTION_NOUNS})\b|[\"“”‘]",
    re.IGNORECASE,
)
# Right after a name: "Will said", "Will then said", "Hall, the service manager, explained",
# "Hall's view", 'Jo: "..."'
_SPEECH_AFTER = re.compile(
    rf"^(?:['’]s\s+(?:{_ATTRIBUTION_NOUNS})|,[^,.;:]{{1,40}},\s*(?:{_SPEECH_WORDS})"
    rf"|[\s,:]*(?:[\w'’]+[\s,]+){{0,2}}?(?:{_SPEECH_WORDS}|[\"“]))\b",
    re.IGNORECASE,
)
# Right before a name: "according to Will", "in the words of Hall"
_SPEECH_BEFORE = re.compile(
    r"(?:according\s+to|in\s+the\s+words\s+of|told\s+by|heard\s+from|quoted)\s+$", re.IGNORECASE
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
# A capitalised word before one of these is a place or a body ("Holtby Road", "Westfield Academy").
PLACE_WORDS = ROLE_WORDS | frozenset(
    """
    road street lane avenue close drive way crescent place square grove gardens terrace walk row
    park estate house court hall hill green centre ward wing building campus site surgery clinic
    practice church chapel library village town district ltd limited plc homes hub
    nursery infants juniors
""".split()
)
# Saints in the names of schools, churches and hospitals: "St John's" is not John.
_SAINT = re.compile(r"\b(?:St|Saint|ST|SAINT)\.?\s*$")
# A word of English as wordfreq counts it (Zipf 4.5: a few times in every hundred thousand words).
COMMON_WORD_FREQUENCY = 10**-4.5
# A word as it may stand in text, in any alphabet: "Kayden", "O'Neill", "Zoë", "Mary-Jane", "step-down"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Small words inside names: "Ursula de Souza", "Pieter van der Berg"
PARTICLES = frozenset("al ap bin da de del della der di du el ibn la le van von".split())
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
EXCERPT = 40  # characters either side of a hit
QUOTE = "quote"  # where a quote chosen for a finding stands, in check_finding's report

Kind = Literal["name", "role", "possible name"]


@dataclass(frozen=True)
class GuardHit:
    where: str  # the section and finding the text belongs to ("title", "body", "quote" for one finding)
    phrase: str  # as it stands in the text
    kind: Kind
    excerpt: str

    @property
    def in_quote(self) -> bool:
        return self.where == QUOTE or self.where.endswith("(quote)")

    @property
    def advice(self) -> str:
        """What to do about it, in a few words (no command-line options: the app shows it too)."""
        if self.kind == "possible name":
            fix = "choose another quote" if self.in_quote else "rephrase"
            return f"if '{self.phrase}' is someone's name, {fix}; if not, acknowledge it at export"
        what = "names someone the team met" if self.kind == "name" else "attributes a view to one person"
        if self.in_quote:
            return f"choose another quote: this one {what}"
        if self.kind == "name":
            return "rephrase the finding so that it names no one"
        return "rephrase so that the view is not one identifiable person's, or keep the phrase deliberately"


@dataclass
class GuardResult:
    hits: list[GuardHit] = field(default_factory=list)  # names: the export is refused
    warnings: list[GuardHit] = field(default_factory=list)  # a role next to speech: the lead confirms
    possible_names: list[GuardHit] = field(default_factory=list)  # not in the schedule: acknowledged

    @property
    def ok(self) -> bool:
        return not self.hits and not self.warnings and not self.possible_names

    def refuses(self, *, accept_warnings: bool = False) -> bool:
        """Whether an export must stop: on names and roles, and on possible names not accepted."""
        return bool(self.hits or self.warnings or (self.possible_names and not accept_warnings))

    def all(self) -> list[GuardHit]:
        return [*self.hits, *self.warnings, *self.possible_names]


def check_attribution(
    store: Store, texts: Sequence[tuple[str, str]], allow: Collection[str] = ()
) -> GuardResult:
    """Names of people met, single-person roles next to speech and possible names of people the
    schedule does not know, in ``texts`` ((where, text) pairs); phrases in ``allow`` (any case)
    are kept deliberately and not reported."""
    return _Guard.of(store, allow).check(texts)


def check_finding(
    store: Store, title: str, body: str = "", quotes: Sequence[str] = (), allow: Collection[str] = ()
) -> GuardResult:
    """The guard on one finding's wording and the quotes chosen for it, before or after it is
    saved: each hit's ``where`` is "title", "body" or "quote", its ``advice`` says what to do."""
    texts = [("title", title), ("body", body), *((QUOTE, _unquoted(quote)) for quote in quotes)]
    return check_attribution(store, [(where, text) for where, text in texts if text.strip()], allow)


def check_saved_finding(store: Store, finding_id: str, allow: Collection[str] = ()) -> GuardResult:
    """``check_finding`` on a finding as stored, with the quotes chosen for the letter."""
    view = get_finding(store, finding_id)
    if view is None:
        return GuardResult()
    quotes = [
        link.item.text for link in linked_evidence(store, finding_id) if link.quote_chosen and not link.broken
    ]
    return check_finding(store, view.finding.title, view.finding.body, quotes, allow)


def people_met(store: Store) -> set[str]:
    """Names of everyone the schedule or the notes' attendance lists name, the team aside."""
    team = {_fold(reviewer.name) for reviewer in week.reviewers(store)}
    names = {name for s in week.sessions(store) for p in s.participants for name in participant_names(p.name)}
    with store.read() as db:
        for row in db.query("SELECT attendance FROM notes WHERE attendance != '[]'"):
            for attendee in _attendees(row["attendance"]):
                if attendee.extra:
                    names.update(
                        text for text in (attendee.role, attendee.organisation) if looks_like_name(text)
                    )
    return {" ".join(name.split()) for name in names if _fold(name) not in team}


def participant_names(text: str) -> list[str]:
    """The names in a participant's ``name:`` field: 'Jo Hartley', 'Marek', 'Jo Hartley and Sam
    Reed'; none in a group label ('Eight social workers')."""
    if not text.strip() or looks_like_group(text):
        return []
    parts = re.split(r"\s*(?:[,;&/]|\band\b)\s*", text.strip())
    return [part for part in parts if _is_written_name(part)]


def single_roles(store: Store) -> set[str]:
    """Roles that point at one person: the shipped list, and any role the schedule gives to one
    person only (count 1, in a single session, or always the same named person)."""
    seen: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for session in week.sessions(store):
        for participant in session.participants:
            if plural_role(participant.role) or looks_like_group(participant.name):
                continue
            seen[_fold(participant.role)].append((session.id, participant.count, _fold(participant.name)))
    # "head of commissioning (children...)", "detective inspector, public protection unit"
    shortened: dict[str, set[str]] = defaultdict(set)
    for role in seen:
        shortened[re.sub(r"\s*\(.*?\)", "", role).split(",")[0].strip()].add(role)
    roles = set(guard_words().single_roles)
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


def review_vocabulary(store: Store) -> set[str]:
    """Words (folded) that are the review's own and no one's name: the council, the title, places,
    focus areas, the team, and the roles, organisations and session titles of the schedule; with
    the shipped vocabulary."""
    texts: list[str] = list(guard_words().vocabulary)
    review = store.review()
    if review is not None:
        texts += [review.title, review.council]
        letter = letter_of(review)
        if letter is not None:
            texts += [letter.position, *letter.address]
    for area in week.focus_areas(store):
        texts += [area.title, *area.lines_of_enquiry]
    for reviewer in week.reviewers(store):
        texts += [reviewer.name, reviewer.role, reviewer.organisation]
    texts += [day.title for day in week.days(store)]
    for session in week.sessions(store):
        texts += [session.title, session.location, *session.prompts]
        texts += [text for p in session.participants for text in (p.role, p.organisation)]
    return {word.casefold() for text in texts for word in re.findall(r"[^\W\d_]+", text)}


def looks_like_name(text: str) -> bool:
    """'Janet Pryce', 'Dr F. Cairns': two to four capitalised words (or a title and one), none
    of them a word of a role or an organisation ('Deputy Head Teacher' is not a name)."""
    words = text.replace(".", ". ").split()
    titled = bool(words) and words[0].rstrip(".").lower() in TITLES
    words = words[1:] if titled else words
    if not 1 + (not titled) <= len(words) <= 4:
        return False
    return any(w not in PARTICLES for w in words) and all(
        _name_word(w) and w.lower().rstrip(".") not in ROLE_WORDS for w in words
    )


def is_english_word(word: str) -> bool:
    """A common English word ("mill", "will", "hall"), by wordfreq's counts, loaded on first use."""
    return _english().get(word.casefold().replace("’", "'"), 0.0) >= COMMON_WORD_FREQUENCY


@dataclass(frozen=True)
class GuardWords:
    """The shipped lists: one-person roles, and capitalised words that are no one's name."""

    single_roles: tuple[str, ...]
    vocabulary: tuple[str, ...]


@functools.cache
def guard_words() -> GuardWords:
    raw = yaml.safe_load((resources.files("peerreview_tui") / "data" / "guard_words.yaml").read_text("utf-8"))
    return GuardWords(
        tuple(str(role) for role in raw["single_roles"]), tuple(str(word) for word in raw["vocabulary"])
    )


# --- Matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    """A first name or a surname, which may stand alone in a text."""

    word: str
    first: bool  # a first name (else a surname)
    common: bool  # also a common English word


@dataclass
class _Guard:
    names: list[re.Pattern[str]]  # each name met in its multi-word forms
    tokens: dict[str, _Token]  # first names and surnames alone, as written (Title and UPPER case)
    token_pattern: re.Pattern[str] | None
    roles: list[re.Pattern[str]]
    vocabulary: set[str]
    allowed: list[re.Pattern[str]]

    @classmethod
    def of(cls, store: Store, allow: Collection[str]) -> _Guard:
        names: list[re.Pattern[str]] = []
        tokens: dict[str, _Token] = {}
        for name in sorted(people_met(store)):
            pattern, alone = _name_forms(name)
            names.append(pattern)
            for token in alone:
                for form in (token.word, token.word.upper()):
                    # one person's first name and another's surname: the first name's rule is stricter
                    known = tokens.get(form)
                    tokens[form] = token if known is None or token.first else known
        words = sorted(tokens, key=len, reverse=True)
        token_pattern = (
            re.compile(rf"(?<![\w'’-])(?:{'|'.join(map(re.escape, words))})(?!\w|-[A-Z])") if words else None
        )
        return cls(
            names,
            tokens,
            token_pattern,
            [_role_pattern(role) for role in sorted(single_roles(store))],
            review_vocabulary(store),
            [_phrase_pattern(phrase) for phrase in allow if phrase.strip()],
        )

    def check(self, texts: Sequence[tuple[str, str]]) -> GuardResult:
        result = GuardResult()
        seen: set[tuple[str, str, str]] = set()
        for where, raw in texts:
            text = _plain(raw)
            kept = [m.span() for pattern in self.allowed for m in pattern.finditer(text)]
            spans = [m.span() for pattern in self.names for m in pattern.finditer(text)]
            spans += list(self._tokens_alone(text))
            named = list(_reportable(spans, kept))
            for start, end in named:
                _add(result.hits, seen, _hit(where, text, start, end, "name"))
            for sentence_start, sentence in _sentences(text):
                if not SPEECH.search(sentence):
                    continue
                spans = [m.span() for pattern in self.roles for m in pattern.finditer(sentence)]
                shifted = [(start + sentence_start, end + sentence_start) for start, end in spans]
                for start, end in _reportable(shifted, kept):
                    _add(result.warnings, seen, _hit(where, text, start, end, "role"))
            for start, end in self._possible_names(text, [*named, *kept]):
                _add(result.possible_names, seen, _hit(where, text, start, end, "possible name"))
        return result

    def _tokens_alone(self, text: str) -> Iterator[tuple[int, int]]:
        if self.token_pattern is None:
            return
        titled = _title_case(text)
        for match in self.token_pattern.finditer(text):
            start, end = match.span()
            token = self.tokens[match.group()]
            if _SAINT.search(text[:start]):
                continue
            if not token.common or _next_to_speech(text, start, end):
                yield start, end
            elif token.first and not titled and not _sentence_start(text, start):
                yield start, end  # "the panel Will chairs": a name inside a sentence

    def _possible_names(self, text: str, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        titled = _title_case(text)
        for match in _WORD.finditer(text):
            start, end = match.span()
            word = match.group()
            if word.endswith(("'s", "’s")):  # possessive: "Kayden's"
                word, end = word[:-2], end - 2
            if len(word) < 2 or not word[0].isupper() or word.isupper():
                continue  # lower case, or an abbreviation
            if any(start < b and a < end for a, b in taken):
                continue
            parts = [part for part in re.split(r"['’-]", word) if part]
            if all(part.casefold() in self.vocabulary or is_english_word(part) for part in parts):
                continue
            if _before_place_word(text, end):
                continue
            if (titled or _sentence_start(text, start)) and not (
                _next_to_speech(text, start, end) or re.match(r"['’]s\b", text[end:])
            ):
                continue  # a capital the sentence gives it, not a sign of a name
            yield start, end


def _name_forms(name: str) -> tuple[re.Pattern[str], list[_Token]]:
    """One pattern for the multi-word forms of ``name`` (in full, a title or an initial with the
    surname), and the words that may stand alone (first name, surname)."""
    name = _plain(name)  # as the text it is matched against: "O’Neill" is typed "O'Neill" too
    words = name.replace(".", ". ").split()
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        words = words[1:]
    words = [_as_written(word) for word in words]
    split = len(words) - 1
    while split > 1 and words[split - 1] in PARTICLES:
        split -= 1  # "de Souza" is the surname of Zoë de Souza
    first, surnames = words[:split], words[split:]
    surname = surnames[-1]
    forms = [_capitalised(_as_written(word) for word in name.replace(".", ". ").split())]
    forms.append(_capitalised(words))
    if first and not any(is_english_word(word) for word in words):
        forms.append(rf"(?i:{_words(words)})")  # "janet pryce" typed in a hurry is still her
    alone = []
    if first and len(first[0].rstrip(".")) > 1:
        alone.append(_Token(first[0], True, is_english_word(first[0])))
    if len(surname.rstrip(".")) > 1:
        alone.append(_Token(surname, not first, is_english_word(surname)))
    if first:
        last = _capitalised(surnames)
        forms.append(rf"(?i:cllr|councillor)\.?\s+{last}")
        forms.append(
            rf"(?:{'|'.join(PERSONAL_TITLES)}|{'|'.join(t.upper() for t in PERSONAL_TITLES)})\.?\s+{last}"
        )
        forms.append(rf"{re.escape(first[0][0].upper())}(?:\.\s*|\s+){last}")
    pattern = "|".join(sorted(set(forms), key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{pattern})(?!\w|-[A-Z])"), alone


def _as_written(word: str) -> str:
    """A name's word in its usual capitals: 'PRYCE' and 'pryce' are written 'Pryce'."""
    if word.lower() in PARTICLES:
        return word.lower()
    return word[:1].upper() + word[1:].lower() if word.isupper() or word.islower() else word


def _capitalised(words: Iterable[str]) -> str:
    """The words as written or all in capitals, whatever the spaces between them."""
    words = list(words)
    return rf"(?:{_words(words)}|{_words([w.upper() for w in words])})"


def _role_pattern(role: str) -> re.Pattern[str]:
    flags = 0 if role.isupper() else re.IGNORECASE  # "AD" is not "ad"
    return re.compile(rf"(?<![\w-]){_words(_plain(role).split())}(?![\w-])", flags)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){_words(_plain(phrase).split())}(?![\w-])", re.IGNORECASE)


def _words(words: list[str]) -> str:
    return r"\s+".join(re.escape(word) for word in words)


def _next_to_speech(text: str, start: int, end: int) -> bool:
    return bool(
        _SPEECH_AFTER.match(text[end : end + 60]) or _SPEECH_BEFORE.search(text[max(0, start - 30) : start])
    )


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"“‘'([*•–—-")
    return not before or before.endswith(("\n", ".", "!", "?", ":", ";"))


def _title_case(text: str) -> bool:
    """'Strong Leadership From The Top': every word has a capital, so capitals say nothing."""
    longer = [word for word in re.findall(r"[^\W\d_][\w'’-]*", text)[1:] if len(word) >= 4]
    return len(longer) >= 2 and sum(word[0].isupper() for word in longer) >= 0.75 * len(longer)


def _before_place_word(text: str, end: int) -> bool:
    following = re.match(r"[\s-]+([A-Z][a-z]+)", text[end:])
    return following is not None and following.group(1).casefold() in PLACE_WORDS


def _reportable(spans: list[tuple[int, int]], kept: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The longest of overlapping matches, leaving out those inside a phrase the lead allowed."""
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


def _hit(where: str, text: str, start: int, end: int, kind: Kind) -> GuardHit:
    return GuardHit(where, " ".join(text[start:end].split()), kind, _excerpt(text, start, end))


def _add(found: list[GuardHit], seen: set[tuple[str, str, str]], hit: GuardHit) -> None:
    key = (hit.where, _fold(hit.phrase), hit.kind)
    if key not in seen:
        seen.add(key)
        found.append(hit)


def _excerpt(text: str, start: int, end: int) -> str:
    before, after = max(0, start - EXCERPT), min(len(text), end + EXCERPT)
    middle = " ".join(text[before:after].split())
    return ("…" if before else "") + middle + ("…" if after < len(text) else "")


def _is_written_name(text: str) -> bool:
    """A name as the schedule's ``name:`` field gives it: one to four capitalised words after any
    title, none of them a word of a role ('Marek', 'Cllr Jo Hartley', not 'Deputy Head')."""
    words = text.replace(".", ". ").split()
    while words and words[0].rstrip(".").lower() in TITLES:
        words = words[1:]
    return (
        1 <= len(words) <= 4
        and any(w.lower() not in PARTICLES for w in words)
        and all(_name_word(_as_written(w)) and w.lower().rstrip(".") not in ROLE_WORDS for w in words)
    )


def _name_word(word: str) -> bool:
    """'Janet', 'O'Neill', 'McDonald', 'Fenwick-Hale', 'Zoë', 'J.', 'de' (not 'MASH' or 'social')."""
    bare = word[:-1] if len(word) == 2 and word.endswith(".") else word
    if len(bare) == 1:
        return bare.isupper()
    if bare in PARTICLES:
        return True
    return bool(_WORD.fullmatch(bare)) and bare[0].isupper() and not bare.isupper()


def _attendees(raw: str) -> list[Attendee]:
    try:
        return [Attendee.model_validate(entry) for entry in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


def _unquoted(text: str) -> str:
    return text.strip().strip("\"'“”‘’").strip()


@functools.cache
def _english() -> dict[str, float]:
    # wordfreq takes half a second to import and load: only when a guard runs.
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="small")


def _plain(text: str) -> str:
    return text.replace("’", "'").replace("\u00a0", " ")


def _fold(text: str) -> str:
    return " ".join(_plain(text).split()).casefold()
