"""The feedback letter's words, and the letter as Markdown (for people without Office).

``letter_outline`` is the letter as a list of blocks in the order of a formal feedback letter:
date, address, salutation, title; thanks and purpose; scope; the team; method; key messages;
each focus area's strengths and areas for development; recommendations; next steps; sign-off.
The Word writer (``letter_docx``) renders the same outline, so both formats say the same.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .content import LetterContent, LetterFinding, MethodCounts, TeamMember
from .text import printable_content

DRAFT_MARK = "[DRAFT]"
DRAFT_NOTICE = (
    f"{DRAFT_MARK} This version includes findings the review lead has not yet agreed; each is "
    f"marked {DRAFT_MARK}. It is not the letter to send."
)
# Characters that would turn store text into emphasis, code or HTML; "]" only where it would
# close a link ("[DRAFT]" stays as it is).
_INLINE_SPECIAL = re.compile(r"([\\`*_<>]|\](?=[(\[]))")
_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_LIST_START = re.compile(r"^(\s*)(\d+)([.)])")
_BULLET_START = re.compile(r"^([-+])(?=\s)")


@dataclass(frozen=True)
class Item:
    """A numbered paragraph: a finding (a bold title run in, then its body, then the quotes the
    lead chose), or plain text."""

    text: str
    title: str = ""
    more: tuple[str, ...] = ()  # further paragraphs of a finding's body
    quotes: tuple[str, ...] = ()
    draft: bool = False  # shown with DRAFT_MARK before the title


@dataclass(frozen=True)
class Block:
    kind: str  # marking, notice, date, address, salutation, title, heading, subheading, para, numbered, bullets, signature
    lines: tuple[str, ...] = ()
    items: tuple[Item, ...] = field(default=())
    continuous: bool = False  # numbered: carries on the letter's one paragraph numbering


def letter_outline(content: LetterContent) -> list[Block]:
    """The letter, block by block. With ``numbered_paragraphs`` every paragraph of the body and
    every finding is numbered in one sequence through the letter, so the council can refer to
    "paragraph 12"; otherwise only the lists are numbered, each from 1."""
    numbered = content.numbered_paragraphs

    def paragraphs(*texts: str) -> list[Block]:
        if numbered:
            return [Block("numbered", items=tuple(Item(text) for text in texts), continuous=True)]
        return [Block("para", (text,)) for text in texts]

    def findings(found: tuple[LetterFinding, ...]) -> Block:
        return Block("numbered", items=tuple(finding_item(f) for f in found), continuous=numbered)

    scope = tuple(title for _, title in content.focus_areas)
    blocks = [Block("marking", (content.marking,))] if content.marking else []
    blocks += [Block("notice", (DRAFT_NOTICE,))] if content.has_drafts else []
    blocks += [
        Block("date", (long_date(content.date),)),
        Block("address", tuple(address_lines(content))),
        Block("salutation", (salutation(content),)),
        Block(
            "title",
            (f"{content.review_title}: {content.council}, {review_dates(content.start, content.end)}",),
        ),
        *paragraphs(*opening(content)),
        Block("heading", ("Scope of the review",)),
        *paragraphs("The council and the team agreed that the review would focus on:"),
        # a list inside a numbered paragraph takes no numbers of its own
        Block("bullets", scope) if numbered else Block("numbered", items=tuple(map(Item, scope))),
        Block("heading", ("The review team",)),
        *paragraphs("The review team was:"),
        Block("bullets", tuple(team_line(member) for member in content.team)),
        Block("heading", ("How the review was carried out",)),
        *paragraphs(*method_paragraphs(content.method)),
    ]
    if content.key_messages:
        blocks += [Block("heading", ("Key messages",)), findings(content.key_messages)]
    for area in content.areas:
        if not (area.strengths or area.developments):
            continue
        blocks.append(Block("heading", (area.title,)))
        for heading, found in (("Strengths", area.strengths), ("Areas for development", area.developments)):
            if found:
                blocks += [Block("subheading", (heading,)), findings(found)]
    if content.recommendations:
        blocks += [
            Block("heading", ("Recommendations",)),
            *paragraphs("The team recommends that the council and its partners consider these priorities:"),
            findings(content.recommendations),
        ]
    blocks += [Block("heading", ("Next steps",)), *paragraphs(*(content.letter_next_steps or NEXT_STEPS))]
    blocks.append(Block("signature", tuple(signature(content))))
    return blocks


def opening(content: LetterContent) -> list[str]:
    what = content.review_title
    if what[
        1:2
    ].islower():  # "Children's safeguarding peer review" -> "a children's ...", but "an LSCB..." stays
        what = what[:1].lower() + what[1:]
    return [
        f"Thank you for inviting us to carry out a {what} of {content.council} from "
        f"{review_dates(content.start, content.end)}. On behalf of the review team, I would like to thank "
        "the council's members and staff, and its partners, for their welcome and for the openness of "
        "everyone we met. This letter confirms the feedback the team gave at the end of the week on site.",
        "The review was carried out at the council's invitation. It is not an inspection: the team "
        "came as critical friends, peers from other councils and partner organisations who do similar "
        "work, to recognise good practice and to help the council and its partners see where they "
        "could improve further.",
    ]


# The default "Next steps": an offer, and no word on publication, which is for the council and
# the programme to decide (the schedule's review.letter.next_steps says more where they have).
NEXT_STEPS = (
    "We hope that the council and its partners find the review helpful as they build on the "
    "strengths and take forward the areas for development in this letter.",
    "The team would be pleased to discuss the letter with you, and to help the council consider how "
    "best to follow up the review. Thank you once again to everyone who took part.",
)


def method_paragraphs(m: MethodCounts) -> list[str]:
    kinds = [
        _count(m.interviews, "interview"),
        _count(m.focus_groups, "focus group"),
        _count(m.meetings, "meeting"),
        _count(m.site_visits, "site visit"),
        _count(m.observations, "observation of practice", "observations of practice"),
        _count(m.other_sessions, "other session"),
    ]
    kinds = [kind for kind in kinds if kind]
    met = f"During the week the team met {_count(m.people_met, 'person', 'people') or 'no one'}"
    met += f" in {_count(m.sessions_held, 'session')}" if m.sessions_held else ""
    met += f", including {_and(kinds)}" if kinds else ""
    if audited := case_files_audited(m):
        met += f", and {audited}"
    read = [
        m.documents and f"read {_count(m.documents, 'document')}",
        m.performance_indicators
        and f"considered {_count(m.performance_indicators, 'performance indicator')}",
        m.questionnaire_responses
        and f"looked at the results of an online questionnaire with {_count(m.questionnaire_responses, 'response')}",
    ]
    paragraphs = [met + "."]
    if read := [part for part in read if part]:
        paragraphs.append(f"The team also {_and(read)}.")
    paragraphs.append(
        "What people told us has shaped this letter, but in keeping with the peer review approach "
        "nothing in it is attributed to any individual."
    )
    return paragraphs


def case_files_audited(m: MethodCounts) -> str:
    """'audited 14 case files'; 'at least 14' when some sessions do not say how many; by
    sessions when none does; '' without case file audits."""
    if not m.case_file_audits:
        return ""
    if not m.case_files:
        return f"audited case files in {_count(m.case_file_audits, 'session')}"
    return f"audited {'at least ' if m.uncounted_audits else ''}{_count(m.case_files, 'case file')}"


def address_lines(content: LetterContent) -> list[str]:
    letter = content.letter
    if letter is None or not (letter.addressee or letter.position):
        return ["The Chief Executive", *(letter.address if letter and letter.address else [content.council])]
    return [line for line in (letter.addressee, letter.position, *letter.address) if line.strip()]


def salutation(content: LetterContent) -> str:
    letter = content.letter
    if letter and letter.salutation:
        return letter.salutation
    return f"Dear {letter.position}" if letter and letter.position else "Dear Chief Executive"


def team_line(member: TeamMember) -> str:
    line = ", ".join(part for part in (member.name, member.role, member.organisation) if part)
    return line + (" (review lead)" if member.lead and "lead" not in member.role.lower() else "")


def signature(content: LetterContent) -> list[str]:
    lead = content.lead
    signed = [lead.name, lead.role, lead.organisation] if lead else ["On behalf of the review team"]
    return ["Yours sincerely", *(line for line in signed if line)]


def finding_item(finding: LetterFinding) -> Item:
    title = finding.title.strip()
    title += "" if title[-1:] in ".?!:" else "."
    paragraphs = body_paragraphs(finding.body)
    return Item(
        paragraphs[0] if paragraphs else "", title, tuple(paragraphs[1:]), finding.quotes, finding.draft
    )


def body_paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines; the lines of one paragraph run together."""
    return [" ".join(chunk.split()) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def review_dates(start: dt.date, end: dt.date) -> str:
    """'10 to 14 September 2012', '28 September to 2 October 2012', or one day."""
    if start == end:
        return long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} to {long_date(end)}"
    first = f"{start.day} {start:%B}" if start.year == end.year else long_date(start)
    return f"{first} to {long_date(end)}"


def _count(number: int, one: str, many: str | None = None) -> str:
    """'two site visits', '13 interviews'; '' for none."""
    if not number:
        return ""
    return f"{_NUMBERS[number] if number < 10 else number} {one if number == 1 else many or one + 's'}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- Markdown ----------------------------------------------------------------------------


def letter_markdown(content: LetterContent) -> str:
    """The letter as Markdown; text from the store is escaped, so it never turns into markup,
    and control characters are left out."""
    out: list[str] = []
    paragraph = 0  # the letter's continuous paragraph numbering
    for block in letter_outline(printable_content(content)):
        lines = [_md(line) for line in block.lines]
        if block.kind == "marking":
            out += [f"**{lines[0]}**"]
        elif block.kind == "notice":
            out += [f"> **{lines[0]}**"]
        elif block.kind == "address":
            out += [line + "  " for line in lines[:-1]] + lines[-1:]
        elif block.kind == "signature":  # room to sign between the closing and the name
            out += [lines[0], "", *(line + "  " for line in lines[1:-1]), *lines[1:][-1:]]
        elif block.kind == "title":
            out += [f"**{lines[0]}**"]
        elif block.kind == "heading":
            out += [f"## {lines[0]}"]
        elif block.kind == "subheading":
            out += [f"### {lines[0]}"]
        elif block.kind == "bullets":
            out += [f"- {line}" for line in lines]
        elif block.kind == "numbered":
            first = paragraph + 1 if block.continuous else 1
            for number, item in enumerate(block.items, start=first):
                out += _md_item(number, item, tight=not block.continuous)
            if block.continuous:
                paragraph += len(block.items)
            if out[-1]:
                out.append("")
            continue
        else:
            out += lines
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md_item(number: int, item: Item, *, tight: bool = True) -> list[str]:
    if not item.title:
        # a plain list is kept tight; numbered paragraphs are paragraphs
        return [f"{number}. {_md(item.text)}"] if tight else [f"{number}. {_md(item.text)}", ""]
    title = f"{DRAFT_MARK} {item.title}" if item.draft else item.title
    lines = [f"{number}. **{_md(title)}** {_md(item.text)}".rstrip(), ""]
    indent = " " * len(f"{number}. ")
    for paragraph in item.more:
        lines += [indent + _md(paragraph), ""]
    for quote in item.quotes:
        lines += [f"{indent}> *“{_md(quote)}”*", ""]
    return lines


def _md(text: str) -> str:
    text = _INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    # "2012." at the start of a line would begin a numbered list of its own
    return _BULLET_START.sub(r"\\\1", _LIST_START.sub(r"\1\2\\\3", text))
