"""Full-text search over notes, through the ``notes_fts`` table the triggers keep in step.

The query is what a user typed in a search box, never FTS5 syntax: it is cut into words the
way the tokenizer cuts text, and each word is quoted, so no input can reach SQLite as an
operator or a syntax error. Note text is never logged or printed here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from sqlite_utils import Database

from ..models import FocusAreaRow, ReviewerRow, SessionRow
from ..templates import is_template_line, template_lines
from .review import Store

MAX_LINE = 200
LIMIT = 200  # lines: enough to read; more words narrow a search that finds more
# Letters and digits: what the unicode61 tokenizer keeps; everything else separates words.
_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

# The notes that match, in time order, without their bodies: a common word matches most notes of
# a big week. The index gives the keys of the notes that match without reading any note's text,
# and each key row says whose note it is, in which session (see migrations, step 7); only the
# notes whose lines are listed are read, below.
_SQL = """
SELECT note_search_keys.note_id, note_search_keys.session_id, sessions.title AS session_title,
       sessions.day, sessions.start_time, note_search_keys.author_id,
       COALESCE(reviewers.name, note_search_keys.author_id) AS author_name
FROM notes_fts
JOIN note_search_keys ON note_search_keys.key = notes_fts.rowid
JOIN sessions ON sessions.id = note_search_keys.session_id
LEFT JOIN reviewers ON reviewers.id = note_search_keys.author_id
WHERE notes_fts MATCH ?
ORDER BY sessions.day, sessions.start_time, sessions.end_time, note_search_keys.session_id, author_name,
         note_search_keys.author_id
"""


@dataclass(frozen=True)
class SearchHit:
    """A line of a note that matches, with where it is."""

    note_id: str
    session_id: str
    session_title: str
    day: dt.date
    start_time: str
    author_id: str
    author_name: str
    line_no: int  # 0-based, counted as the note editor counts lines
    line: str  # that whole line, stripped, at most MAX_LINE characters
    terms: tuple[str, ...]  # the user's words, for highlighting


@dataclass(frozen=True)
class SessionHits:
    """The matching lines of one session's notes, author by author."""

    session_id: str
    session_title: str
    day: dt.date
    start_time: str
    hits: list[SearchHit]


def search_terms(query: str) -> tuple[str, ...]:
    """The words of a typed query, folded as the tokenizer folds them (case and accents)."""
    return tuple(_WORD.findall(_fold(query)))


def fts_query(terms: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: every word required, the last one as a prefix."""
    # Words hold only letters and digits, but quoting also keeps AND, OR, NOT and NEAR words.
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def search_notes(store: Store, query: str, limit: int = LIMIT) -> list[SearchHit]:
    """Every line the reviewers wrote that holds every word of ``query`` (the last word may be
    the start of one), in time order of the sessions, then by author. Where a note holds the
    words but no one line holds them all, its lines holding any of them. Lines of the session's
    note template are not searched. At most ``limit`` lines; a blank query finds nothing."""
    terms = search_terms(query)
    if not terms or limit <= 0:
        return []
    patterns = _term_patterns(terms)
    hits: list[SearchHit] = []
    templates: dict[str, frozenset[str]] = {}
    with store.read() as db:
        roster = _Roster(db)
        # The FTS index finds the notes; only theirs are split into lines, and only until the
        # limit is reached.
        for row in db.query(_SQL, [fts_query(terms)]):
            body = db.execute("SELECT body FROM notes WHERE id = ?", [row["note_id"]]).fetchone()[0]
            session_id = row["session_id"]
            if session_id not in templates:
                templates[session_id] = _template_of(db, session_id, roster)
            for line_no, line, match_at in _matching_lines(body, patterns, templates[session_id]):
                hits.append(
                    SearchHit(
                        note_id=row["note_id"],
                        session_id=session_id,
                        session_title=row["session_title"],
                        day=dt.date.fromisoformat(row["day"]),
                        start_time=row["start_time"],
                        author_id=row["author_id"],
                        author_name=row["author_name"],
                        line_no=line_no,
                        line=_excerpt(line, match_at),
                        terms=terms,
                    )
                )
                if len(hits) >= limit:
                    return hits
    return hits


def by_session(hits: Sequence[SearchHit]) -> list[SessionHits]:
    """``hits`` grouped by session, in the order they come."""
    groups: list[SessionHits] = []
    for hit in hits:
        if not groups or groups[-1].session_id != hit.session_id:
            groups.append(SessionHits(hit.session_id, hit.session_title, hit.day, hit.start_time, []))
        groups[-1].hits.append(hit)
    return groups


class _Roster:
    """The focus areas and reviewers the templates name, read when a first note matches."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @cached_property
    def focus_areas(self) -> list[FocusAreaRow]:
        return [FocusAreaRow.from_row(r) for r in self.db.query("SELECT * FROM focus_areas")]

    @cached_property
    def reviewers(self) -> list[ReviewerRow]:
        return [ReviewerRow.from_row(r) for r in self.db.query("SELECT * FROM reviewers")]


def _template_of(db: Database, session_id: str, roster: _Roster) -> frozenset[str]:
    """The lines of the session's note template (see ``templates.template_lines``)."""
    row = next(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]), None)
    if row is None:
        return frozenset()
    return template_lines(SessionRow.from_row(row), roster.focus_areas, roster.reviewers)


def _term_patterns(terms: tuple[str, ...]) -> list[re.Pattern[str]]:
    """A pattern per word, on folded text: a whole word, the last one the start of a word."""
    # The word comes first and the look back for a letter before it after it, so the regex
    # engine skips along the text to the word itself (a pattern that begins with the look back
    # is tried at every character: 18 times slower on a note).
    starts = [re.escape(term) + rf"(?<![^\W_]{re.escape(term)})" for term in terms]
    return [*(re.compile(start + r"(?![^\W_])") for start in starts[:-1]), re.compile(starts[-1])]


def _matching_lines(
    body: str, patterns: list[re.Pattern[str]], template: frozenset[str]
) -> list[tuple[int, str, int]]:
    """(line number, line, where the first match starts) of the lines that match; see search_notes."""
    lines = body.splitlines()
    folded = _fold_fast(body)
    folded_lines = folded.splitlines(keepends=True)
    if len(folded_lines) != len(lines):  # cannot happen (folding keeps line breaks); be safe all the same
        folded = "".join(f"{_fold(line)}\n" for line in lines)
        folded_lines = folded.splitlines(keepends=True)
    # Each word is looked for in the whole note at once (a match never spans a line break: words
    # are letters and digits), then each match is put on its line.
    starts = list(accumulate((len(line) for line in folded_lines[:-1]), initial=0))
    found: dict[int, dict[int, int]] = {}  # line number -> {word: where its first match starts}
    for i, pattern in enumerate(patterns):
        for match in pattern.finditer(folded):
            line_no = bisect_right(starts, match.start()) - 1
            found.setdefault(line_no, {}).setdefault(i, match.start() - starts[line_no])
    every: list[tuple[int, str, int]] = []
    some: list[tuple[int, str, int]] = []
    seen: set[int] = set()
    for line_no in sorted(found):
        line = lines[line_no]
        if is_template_line(line, template):
            continue
        words = found[line_no]
        # Where the first match is in the line as written: folding an ASCII line keeps its length.
        at = min(words.values()) if line.isascii() else _first_span(line, patterns)
        some.append((line_no, line, at))
        seen.update(words)
        if len(words) == len(patterns):
            every.append((line_no, line, at))
    if every:
        return every
    return some if len(seen) == len(patterns) else []


def _first_span(line: str, patterns: list[re.Pattern[str]]) -> int:
    """Where the first word of ``line`` that one of ``patterns`` matches starts."""
    for match in _WORD.finditer(line):
        word = _fold(match.group())
        if any(pattern.match(word) for pattern in patterns):
            return match.start()
    return 0


def _fold_fast(text: str) -> str:
    """``_fold`` of a whole note, in C but for the runs of non-ASCII characters."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return _NON_ASCII.sub(_strip_combining, decomposed)


def _strip_combining(match: re.Match[str]) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


def term_spans(line: str, terms: Sequence[str], first_only: bool = False) -> list[tuple[int, int]]:
    """(start, end) of the words of ``line`` that match ``terms`` as the search does (any
    case or accents, the last term as a prefix): what to highlight."""
    if not terms:
        return []
    whole, prefix = set(terms[:-1]), terms[-1]
    spans = []
    for match in _WORD.finditer(line):
        word = _fold(match.group())
        if word in whole or word.startswith(prefix):
            spans.append(match.span())
            if first_only:
                break
    return spans


def _fold(text: str) -> str:
    """Lower case without accents, so 'Cafe' finds 'café' here as it does in FTS5."""
    # NFD, not NFKD: the tokenizer strips accents but keeps compatibility forms such as '½'.
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _excerpt(line: str, match_at: int) -> str:
    """The stripped line; a long one is cut to MAX_LINE characters showing the match."""
    indent = len(line) - len(line.lstrip())
    line, match_at = line.strip(), max(0, match_at - indent)
    if len(line) <= MAX_LINE:
        return line
    if match_at < MAX_LINE // 2:
        return line[: MAX_LINE - 1] + "…"
    # Start a little before the match, at a word boundary, so the match is in sight.
    start = line.rfind(" ", 0, match_at - 20) + 1 or match_at - 20
    rest = line[start:]
    return "…" + (rest if len(rest) < MAX_LINE else rest[: MAX_LINE - 2] + "…")
