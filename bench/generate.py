"""A realistic review week, generated (seeded), for the benchmarks: 6 reviewers, ~55 sessions,
~150 participants, ~1 M characters of marked notes, ~600 evidence items, ~190 findings; and a
×10 week (ten times the sessions, notes and findings)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

from peerreview_tui.models import FindingSection
from peerreview_tui.schedule import parse_schedule
from peerreview_tui.store import Store, findings, notes, week

AREAS = ["practice", "early-help", "partnership", "commissioning"]
REVIEWERS = ["lead", "member", "officer1", "officer2", "health", "manager"]
KINDS = ["interview", "focus_group", "case_file_audit", "site_visit", "observation"]
WORDS = (
    "supervision caseloads assessment plan child voice threshold referral MASH police health school "
    "early help family support commissioning provider placement stability audit manager team social "
    "worker visit review conference strategy meeting timescales quality oversight partnership board "
    "needs analysis outcomes budget capacity recruitment agency training morale escalation"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def schedule_yaml(scale: int, rng: random.Random) -> str:
    start = dt.date(2012, 9, 10)
    days = []
    per_day = 11 * scale
    for d in range(5):
        sessions = []
        for i in range(per_day):
            minute = 8 * 60 + (i * 600) // per_day
            sessions.append(
                {
                    "id": f"d{d}-s{i:04d}",
                    "start": f"{minute // 60:02d}:{minute % 60:02d}",
                    "end": f"{(minute + 45) // 60:02d}:{(minute + 45) % 60:02d}",
                    "title": f"Session {i} on day {d + 1}: {_sentence(rng, 3)}",
                    "kind": KINDS[i % len(KINDS)],
                    "location": f"Room {i}",
                    "reviewers": rng.sample(REVIEWERS, 2),
                    "focus_areas": rng.sample(AREAS, 2),
                    "participants": [
                        {"role": f"Role {p}", "organisation": "Council", "count": 1} for p in range(3)
                    ],
                }
            )
        days.append({"date": (start + dt.timedelta(days=d)).isoformat(), "sessions": sessions})
    return yaml.safe_dump(
        {
            "review": {
                "id": "bench",
                "title": "Bench week",
                "council": "Benchborough",
                "start": "2012-09-10",
                "end": "2012-09-14",
            },
            "focus_areas": [
                {"id": a, "title": a.title(), "lines_of_enquiry": ["Does it work?"]} for a in AREAS
            ],
            "reviewers": [
                {"id": r, "name": f"Reviewer {r}", "role": "Peer", "lead": r == "lead"} for r in REVIEWERS
            ],
            "days": days,
        },
        sort_keys=False,
    )


def note_body(rng: random.Random, characters: int) -> str:
    lines = []
    size = 0
    while size < characters:
        if rng.random() < 0.05:
            mark = rng.choice("+-?!")
            tags = " ".join(f"#{a}" for a in rng.sample(AREAS, rng.randint(0, 2)))
            line = f"{mark} {_sentence(rng, rng.randint(6, 14))} {tags}".rstrip()
        else:
            line = _sentence(rng, rng.randint(6, 18))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def generate_week(path: Path, scale: int = 1, seed: int = 0) -> None:
    rng = random.Random(seed)
    schedule = parse_schedule(schedule_yaml(scale, rng), "bench.yaml").schedule
    with Store.open(path, create=True) as store:
        week.apply_schedule(store, schedule, "bench")
        sessions = week.sessions(store)
        per_note = 1_000_000 // 110  # two notes a session: ~1 M characters a week
        for session in sessions:
            for author in session.reviewers:
                notes.save_note(store, session.id, author, note_body(rng, per_note // 1))
        with store.read() as db:
            evidence = [row["id"] for row in db.query("SELECT id FROM evidence WHERE focus_areas != '[]'")]
        for i in range(190 * scale):
            section = FindingSection.STRENGTH if i % 2 else FindingSection.DEVELOPMENT
            findings.create_finding(
                store,
                section=section,
                focus_area_id=AREAS[i % 4],
                title=f"Finding {i}: {_sentence(rng, 6)}",
                body=_sentence(rng, 40),
                evidence_ids=rng.sample(evidence, 3),
                actor="lead",
            )
