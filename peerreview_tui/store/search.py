"""Full-text search over notes, through the ``notes_fts`` table the triggers keep in step.

The query is what a user typed in a search box, never FTS5 syntax: it is cut into words the
way the tokenizer cuts text, and each word is quoted, so no input can reach SQLite as an
operator or a syntax error. Note text is never logged or printed here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .review import Store

MAX_LINE = 200
# Letters and digits: what the unicode61 tokenizer keeps; everything else separates words.
_WORD = re.compile(r"[^\W_]+")

_SQL = """
SELECT notes.id AS note_id, notes.session_id, sessions.title AS session_title, sessions.day,
       sessions.start_time, notes.author_id, COALESCE(reviewers.name, notes.author_id) AS author_name,
       notes.body
FROM notes_fts
JOIN notes ON notes.id = notes_fts.note_id
JOIN sessions ON sessions.id = notes.session_id
LEFT JOIN reviewers ON reviewers.id = notes.author_id
WHERE notes_fts MATCH ?
ORDER BY bm25(notes_fts), sessions.day, sessions.start_time, notes.session_id, notes.author_id
LIMIT ?
"""


@dataclass(frozen=True)
class SearchHit:
    """A note that matches, with the line to show for it."""

    note_id: str
    session_id: str
    session_title: str
    day: dt.date
    start_time: str
    author_id: str
    author_name: str
    line_no: int  # 0-based line of the first match in the note body
    line: str  # that whole line, stripped, at most MAX_LINE characters
    terms: tuple[str, ...]  # the user's words, for highlighting


def search_terms(query: str) -> tuple[str, ...]:
    """The words of a typed query, folded as the tokenizer folds them (case and accents)."""
    return tuple(_WORD.findall(_fold(query)))


def fts_query(terms: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: every word required, the last one as a prefix."""
    # Words hold only letters and digits, but quoting also keeps AND, OR, NOT and NEAR words.
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def search_notes(store: Store, query: str, limit: int = 100) -> list[SearchHit]:
    """Notes containing every word of ``query`` (the last word may be the start of one), best
    match first, then in time order. A blank query finds nothing."""
    terms = search_terms(query)
    if not terms or limit <= 0:
        return []
    with store.read() as db:
        rows = list(db.query(_SQL, [fts_query(terms), limit]))
    hits = []
    for row in rows:
        line_no, line = matching_line(row["body"], terms)
        hits.append(
            SearchHit(
                note_id=row["note_id"],
                session_id=row["session_id"],
                session_title=row["session_title"],
                day=dt.date.fromisoformat(row["day"]),
                start_time=row["start_time"],
                author_id=row["author_id"],
                author_name=row["author_name"],
                line_no=line_no,
                line=line,
                terms=terms,
            )
        )
    return hits


def matching_line(body: str, terms: tuple[str, ...]) -> tuple[int, str]:
    """The first line (counted as the note editor counts them) holding any of ``terms``, the
    last term as a prefix; line 0 when none does (the match crossed a line break)."""
    lines = body.splitlines()
    # Start at the first line where a term occurs in plain lower case (found in C, not by folding
    # line after line of a 90,000-character note: bench/); from the top when accents hide every
    # match. An accented spelling on an earlier line than a plain one may be passed over.
    lowered = body.casefold()
    found = [at for term in terms if (at := lowered.find(term)) >= 0]
    start = max(0, len(lowered[: min(found)].splitlines()) - 1) if found else 0
    for line_no in range(start, len(lines)):
        spans = term_spans(lines[line_no], terms, first_only=True)
        if spans:
            return line_no, _excerpt(lines[line_no], spans[0][0])
    return 0, _excerpt(lines[0] if lines else "", 0)


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
