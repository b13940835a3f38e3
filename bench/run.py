"""`make bench`: every figure measured against a bare Textual app in the same run.

Prints a table and writes bench/results.json. Nothing here is a pass/fail test: the machines are
shared and noisy, so figures are compared with a baseline measured alongside them.

`bench/run.py --only startup` measures only the start-up figures (a minute, not ten), to iterate
on; it prints them and leaves bench/results.json alone. The other groups that can be run alone
the same way (`--only` may be repeated): search, coverage, export (letter and slides), merge.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import peerreview_tui  # noqa: E402
from bench.generate import generate_week  # noqa: E402
from peerreview_tui.coverage import compute_coverage  # noqa: E402
from peerreview_tui.store import Store, signatures  # noqa: E402
from peerreview_tui.store.search import search_notes  # noqa: E402

RUNS = 5
STARTUP_RUNS = 15  # alternating with the bare app: medians of 15 of each (9 moved the ratio ±0.1 run to run)
TRIALS = 20
PACKAGE = Path(peerreview_tui.__file__).resolve().parent


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    ratio: float | None
    target: str
    met: bool


def run_child(args: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time (s) of a child process: interpreter start-up and imports count, as for a user."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


def peak_rss_kib(args: list[str]) -> int:
    """Peak RSS of a script, as the process itself reports it: VmHWM in /proc (ru_maxrss would
    carry over the forking parent's peak, which here holds a generated week)."""
    code = (
        "import re, runpy, sys; sys.argv = sys.argv[1:]; "
        "runpy.run_path(sys.argv[0], run_name='__main__'); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1])


def alternating_medians(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall time (s) of each command, run in turn ``runs`` times (bare, ours, bare, ...), so
    a burst of load on the shared machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, args in commands.items():
            times[name].append(run_child(args, env))
    return {name: statistics.median(values) for name, values in times.items()}


def set_bytecode(compiled: bool) -> dict[str, str]:
    """Put the package's bytecode in the state of a user's first start (``compiled=False``: no
    .pyc, and none written, as with PYTHONDONTWRITEBYTECODE=1 on these machines, so every start
    compiles the package) or second start (compiled with compileall beforehand); returns the
    environment for the children. The libraries' bytecode is compiled in both: pip compiles it."""
    env = dict(os.environ)
    for cache in PACKAGE.rglob("__pycache__"):
        shutil.rmtree(cache)
    if compiled:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def startup_figures(realistic: Path, tenfold: Path, home: Path) -> list[Figure]:
    """Cold start of `peerreview open` (bench/startup.py) on each week against the bare app, with
    the package's bytecode compiled and not."""
    figures: list[Figure] = []
    startup = str(HERE / "startup.py")
    for compiled in (True, False):
        env = set_bytecode(compiled) | {"PEERREVIEW_HOME": str(home)}  # no keys.yaml of the user's
        medians = alternating_medians(
            {
                "bare": [str(HERE / "bare_app.py")],
                "realistic": [startup, str(realistic)],
                "×10": [startup, str(tenfold)],
            },
            STARTUP_RUNS,
            env,
        )
        bare = medians["bare"]
        how = "compiled bytecode" if compiled else "no bytecode"
        figures.append(Figure(f"cold start, bare Textual app ({how})", bare * 1000, "ms", 1.0, "—", True))
        for label, target in (("realistic", 1.3), ("×10", 1.5)):
            ours = medians[label]
            figures.append(
                Figure(
                    f"cold start, {label} week ({how})",
                    ours * 1000,
                    "ms",
                    ours / bare,
                    f"≤ {target}× bare ({bare * 1000:.0f} ms)",
                    ours / bare <= target,
                )
            )
    return figures


def switch_figures(tenfold: Path) -> list[Figure]:
    """The slowest switch between days (keys 1–5) and between screens (F3, F4, F5, F7, F8, F2:
    each opened the first time, then again) on the ×10 week: from the key to the last frame
    drawn before the app is idle again (the frame that shows the screen's data), in a headless
    app. First visits twice: as a user's, once the app has made the sections while the keys
    were quiet (ui/quiet_work.py, WARM_SECTIONS: the exchange too, the laptop holding its key),
    and with none made beforehand (a section asked for in the app's first second). With them, the same measure of a key that does
    nothing: the measure's own floor (Pilot's waits for the app to go idle are not in it)."""
    idle, days, first, again = asyncio.run(_switch_times(tenfold, warm=True))
    _, _, cold, _ = asyncio.run(_switch_times(tenfold, warm=False))
    return [
        Figure("a key that does nothing (the measure's own floor)", idle * 1000, "ms", None, "—", True),
        Figure(
            "switching days, ×10 week (slowest)", max(days) * 1000, "ms", None, "< 100 ms", max(days) < 0.1
        ),
        Figure(
            "switching screens, ×10 week (slowest, first visit)",
            max(first) * 1000,
            "ms",
            None,
            "< 100 ms",
            max(first) < 0.1,
        ),
        Figure(
            "switching screens, ×10 week (slowest, first visit, none made beforehand)",
            max(cold) * 1000,
            "ms",
            None,
            "< 100 ms",
            max(cold) < 0.1,
        ),
        Figure(
            "switching screens, ×10 week (slowest, again)",
            max(again) * 1000,
            "ms",
            None,
            "< 100 ms",
            max(again) < 0.1,
        ),
    ]


async def _switch_times(db: Path, warm: bool) -> tuple[float, list[float], list[float], list[float]]:
    from peerreview_tui.ui.app import PeerReviewApp
    from peerreview_tui.ui.context import ReviewContext

    store = Store.open(db)
    app = PeerReviewApp(ReviewContext.load(store, me="lead"))
    app.warm_sections = warm
    screens = ("f3", "f4", "f5", "f7", "f8", "f2")
    frames: list[float] = []
    display = app._display

    def drawn(screen: Any, update: Any) -> None:
        display(screen, update)
        if update is not None:  # the compositor made a frame (headless: not written anywhere)
            frames.append(time.perf_counter())

    app._display = drawn  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:

        async def press(key: str) -> float:
            frames.clear()
            start = time.perf_counter()
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            return frames[-1] - start if frames else 0.0

        # The laptop's signing key, as it is after its first bundle: made by the first visit to
        # the exchange screen otherwise, a change that every screen shown again would read for.
        with store.write() as db:
            signatures.ensure_key(db, "lead")
        # What the app does once its first screen is up (the rest of the week, the soundness
        # check and the backup copy; the sections made while the keys are quiet) is done before
        # the switches are timed.
        await pilot.pause(0.5)
        app._prepare_writes()
        for _ in range(300):  # 30 s at most
            made = all(mode in app._screen_stacks for mode in app.sections_to_warm()) and app._warming is None
            if (made or not warm) and all(worker.is_finished for worker in app.workers):
                break
            await pilot.pause(0.1)
        await pilot.pause()
        idle = statistics.median([await press("z") for _ in range(5)])  # bound to nothing here
        days = [await press(key) for key in "2345123451"]
        first = [await press(key) for key in screens]
        again = [await press(key) for key in screens]
    store.close()
    return idle, days, first, again


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], repeat: int = 20) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


async def autosave_figures(db: Path) -> tuple[float, float]:
    """(longest event-loop hold of an autosave in ms, keystroke-to-durable in s) on a 20,000-
    character note."""
    from peerreview_tui.store import notes, week
    from peerreview_tui.ui.app import PeerReviewApp
    from peerreview_tui.ui.context import ReviewContext
    from peerreview_tui.ui.screens import capture

    store = Store.open(db)
    session = week.sessions(store)[0]
    author = session.reviewers[0]
    notes.save_note(
        store, session.id, author, ("+ a line of about forty characters #practice\n" * 440)[:20_000]
    )
    holds: list[float] = []
    original = capture.CaptureScreen._save_soon

    def measured(self: capture.CaptureScreen) -> None:
        start = time.perf_counter()
        original(self)
        holds.append(time.perf_counter() - start)

    capture.CaptureScreen._save_soon = measured  # type: ignore[method-assign]
    app = PeerReviewApp(ReviewContext.load(store, me=author), open_session=session.id)
    durable: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(10):
            await pilot.press("x")
            start = time.perf_counter()
            screen = app.screen
            while screen.dirty:  # type: ignore[attr-defined]
                await asyncio.sleep(0.005)
            durable.append(time.perf_counter() - start)
    capture.CaptureScreen._save_soon = original  # type: ignore[method-assign]
    store.close()
    return max(holds) * 1000, max(durable)


GROUPS = ("startup", "search", "coverage", "export", "merge")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=GROUPS,
        action="append",
        help="only these figures, repeatable (results.json is left alone)",
    )
    only = parser.parse_args().only
    wanted = set(only or GROUPS)
    work = Path(tempfile.mkdtemp(prefix="peerreview-bench-"))
    figures: list[Figure] = []
    try:
        realistic, tenfold = work / "week.db", work / "week10.db"
        print("generating the realistic week and the ×10 week…", flush=True)
        generate_week(realistic, scale=1)
        generate_week(tenfold, scale=10, seed=1)
        for db in (realistic, tenfold):
            with Store.open(db) as store:
                store.set_meta("me", "lead")  # a laptop whose reviewer is known, as after the first start
        # the merge figures start from the weeks as generated: the other figures open, change and
        # sign them (the app's start-ups, autosave, exports)
        as_generated = work / "as-generated"
        as_generated.mkdir()
        for db in (realistic, tenfold):
            shutil.copy(db, as_generated / db.name)

        if "startup" in wanted:
            figures += startup_figures(realistic, tenfold, work)
            figures += switch_figures(tenfold)
        if only is None:
            figures += memory_figures(realistic, tenfold)
            figures += autosave_figure_list(realistic)
        if "search" in wanted:
            figures += search_figures(tenfold)
        if "coverage" in wanted:
            figures += coverage_figures(tenfold)
        if "export" in wanted:
            figures += export_figures(realistic, work)
        if only is None:
            figures += durability_figures(work)
        if "merge" in wanted:
            figures += merge_figures(as_generated / realistic.name, as_generated / tenfold.name, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_figures(figures)
    if only is not None:
        return
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    result = {
        "machine": machine,
        "date": dt.date.today().isoformat(),
        "figures": [asdict(f) for f in figures],
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {HERE / 'results.json'} ({machine})")


def memory_figures(realistic: Path, tenfold: Path) -> list[Figure]:
    startup = str(HERE / "startup.py")
    bare_rss = peak_rss_kib([str(HERE / "bare_app.py")])
    figures = []
    for label, db, limit in (("realistic", realistic, 64), ("×10", tenfold, 96)):
        rss = peak_rss_kib([startup, str(db)]) / 1024
        figures.append(
            Figure(
                f"peak memory, {label} week",
                rss,
                "MiB",
                rss / (bare_rss / 1024),
                f"≤ {limit} MiB",
                rss <= limit,
            )
        )
    return figures


def autosave_figure_list(realistic: Path) -> list[Figure]:
    hold_ms, durable_s = asyncio.run(autosave_figures(realistic))
    return [
        Figure("autosave: event-loop hold, 20,000-char note", hold_ms, "ms", None, "< 16 ms", hold_ms < 16),
        Figure("autosave: keystroke to durable", durable_s, "s", None, "≤ 1 s", durable_s <= 1),
    ]


SEARCH_WORDS = [
    "supervision",
    "caseloads",
    "threshold",
    "police",
    "commissioning",
    "audit",
    "morale",
    "capacity",
    "placement",
    "escalation",
]


def search_figures(tenfold: Path) -> list[Figure]:
    with Store.open(tenfold) as store:
        times = [t for word in SEARCH_WORDS for t in timed(lambda w=word: search_notes(store, w), repeat=5)]
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    return [
        Figure("search p50, ×10 week", p50, "ms", None, "—", True),
        Figure("search p95, ×10 week", p95, "ms", None, "≤ 20 ms", p95 <= 20),
    ]


def coverage_figures(tenfold: Path) -> list[Figure]:
    with Store.open(tenfold) as store:
        matrix = statistics.median(timed(lambda: compute_coverage(store), repeat=10)) * 1000
    return [Figure("coverage matrix, ×10 week", matrix, "ms", None, "≤ 50 ms", matrix <= 50)]


def durability_figures(work: Path) -> list[Figure]:
    lost = sigkill_trials(work / "durability", TRIALS)
    figures = [
        Figure(
            f"SIGKILL while typing: trials losing text typed ≥ 1 s before ({TRIALS} trials)",
            lost,
            "",
            None,
            "0",
            lost == 0,
        )
    ]
    for operation, unsafe in safety_trials(work / "safety", TRIALS).items():
        figures.append(
            Figure(
                f"SIGKILL during {operation}: trials leaving the review unsafe ({TRIALS} trials)",
                unsafe,
                "",
                None,
                "0",
                unsafe == 0,
            )
        )
    return figures


def merge_figures(realistic: Path, tenfold: Path, work: Path) -> list[Figure]:
    figures = []
    for label, db, limit in (("realistic", realistic, 1.0), ("×10", tenfold, 5.0)):
        seconds = merge_seconds(db, work / label)
        figures.append(
            Figure(
                f"merge of 6 reviewers' bundles, {label} week",
                seconds,
                "s",
                None,
                f"≤ {limit:g} s",
                seconds <= limit,
            )
        )
    return figures


def print_figures(figures: list[Figure]) -> None:
    width = max(len(f.name) for f in figures)
    print(f"\n{'figure'.ljust(width)}  {'value':>10}  {'ratio':>6}  target")
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
        print(
            f"{f.name.ljust(width)}  {f.value:>8.1f} {f.unit:<3}{ratio:>6}  {f.target}  {'met' if f.met else 'MISSED'}"
        )


def export_figures(realistic: Path, work: Path) -> list[Figure]:
    from peerreview_tui.export.content import build_content
    from peerreview_tui.export.letter_docx import write_letter_docx
    from peerreview_tui.export.slides_pptx import write_slides_pptx

    figures: list[Figure] = []
    with Store.open(realistic) as store:
        content = build_content(store, include_drafts=True)
        letter = statistics.median(timed(lambda: write_letter_docx(content, work / "l.docx"), repeat=5))
        slides = statistics.median(timed(lambda: write_slides_pptx(content, work / "s.pptx"), repeat=5))
    figures.append(Figure("letter export, realistic week", letter, "s", None, "≤ 0.5 s", letter <= 0.5))
    figures.append(Figure("slides export, realistic week", slides, "s", None, "≤ 0.5 s", slides <= 0.5))
    return figures


def sigkill_trials(folder: Path, trials: int) -> int:
    """How many of ``trials`` lost text typed a second before a SIGKILL (see bench/durability)."""
    from bench.durability import trial
    from peerreview_tui.demo import build_demo

    folder.mkdir()
    demo = folder / "demo-template.db"
    build_demo(demo)
    lost = 0
    for seed in range(trials):
        db = folder / f"trial-{seed}.db"
        shutil.copy(demo, db)
        kept, problem = trial(db, seed)
        if not kept:
            lost += 1
            print(f"  trial {seed}: {problem[:200]}", flush=True)
    return lost


def safety_trials(folder: Path, trials: int) -> dict[str, int]:
    """For encrypt, purge and rekey: how many of ``trials`` SIGKILLs at a random moment left the
    review unsafe once the next command had run (see bench/durability: a plaintext copy of an
    encrypted review, note text after a purge, a backup the review's passphrase does not open,
    something lost). Half the kills come at a random time, half at a random call in the store;
    purge runs on a plain review and an encrypted one in turn."""
    from bench.durability import calibrate, kill_trial, make_safety_review

    folder.mkdir()
    templates = {kind: make_safety_review(folder / str(kind), encrypted=kind) for kind in (False, True)}
    unsafe: dict[str, int] = {}
    for operation, kinds in (("encrypt", [False]), ("purge", [False, True]), ("rekey", [True])):
        calibrations = {kind: calibrate(templates[kind], operation, folder / "calibrate") for kind in kinds}
        unsafe[operation] = 0
        for seed in range(trials):
            kind = kinds[seed % len(kinds)]
            mode = "timed" if seed % 2 == 0 else "step"
            problems = kill_trial(
                templates[kind], operation, folder / "trial", seed, calibrations[kind], mode=mode
            )
            if problems:
                unsafe[operation] += 1
                print(f"  {operation} trial {seed} ({mode}): {'; '.join(problems)[:300]}", flush=True)
    return unsafe


def merge_seconds(week_db: Path, folder: Path) -> float:
    """Six laptops, each with the schedule and one reviewer's work of the week, send a bundle;
    the lead's laptop (the schedule alone) merges all six. Only the merge is timed."""
    from bench.generate import REVIEWERS
    from peerreview_tui.store import signatures
    from peerreview_tui.sync import merge_bundles, write_bundle
    from peerreview_tui.sync.seal import pin_own_lead_key

    folder.mkdir()
    target = folder / "leads-laptop.db"  # not lead.db: that is the lead's bundle's laptop below
    shutil.copy(week_db, target)
    with Store.open(target) as store, store.write() as db:
        _new_laptop(db)
        signatures.ensure_key(db, "lead")
        pin_own_lead_key(db)
        lead_key = signatures.lead_key(db)
    assert lead_key is not None
    bundles, keys = [], []
    for reviewer in REVIEWERS:
        laptop = folder / f"{reviewer}.db"
        shutil.copy(week_db, laptop)  # the same schedule and ids; then keep only this reviewer's work
        with Store.open(laptop) as store, store.write() as db:
            _keep_own_work(db, reviewer)
            _new_laptop(db)
            keys.append((reviewer, signatures.ensure_key(db, reviewer)))
            signatures.pin_lead_key(db, lead_key)
    with Store.open(target) as store, store.write() as db:
        for reviewer, public in keys:
            if public != lead_key:
                signatures.enrol(db, reviewer, public)
        roster = list(signatures.enrolments(db).values())
    for reviewer in REVIEWERS:
        with Store.open(folder / f"{reviewer}.db") as store:
            with store.write() as db:
                for enrolment in roster:
                    signatures.save_enrolment(db, enrolment)
            bundles.append(write_bundle(store, folder / f"{reviewer}.prbundle", actor=reviewer).path)
    with Store.open(target) as store:
        with store.write() as db:
            _keep_own_work(db, None)
        start = time.perf_counter()
        merge_bundles(store, bundles, actor="lead")
        return time.perf_counter() - start


def _keep_own_work(db: Any, reviewer: str | None) -> None:
    """A copy of the week (generated on one laptop) as ``reviewer``'s laptop at the end of it:
    the schedule and their own notes, evidence and audit entries (``None``: the schedule alone).
    The others' work was never there, so it goes without the tombstones a deletion leaves: they
    would travel as ~500 deletions in every bundle (5,100 on ×10), and on the merging laptop
    delete every item the bundles bring, which no real week does. The findings go too: the lead
    writes them citing everyone's evidence, which a laptop holding only its own cannot hold."""
    from peerreview_tui.sync.merge import MERGING

    db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", [MERGING])  # no tombstones
    db.execute("DELETE FROM finding_evidence")
    db.execute("DELETE FROM findings")
    for table, author in (("evidence", "author_id"), ("notes", "author_id"), ("audit", "actor")):
        db.execute(f"DELETE FROM {table} WHERE {author} IS NOT ?", [reviewer])
    db.execute("DELETE FROM meta WHERE key = ?", [MERGING])
    assert next(iter(db.query("SELECT count(*) AS n FROM tombstones")))["n"] == 0


def _new_laptop(db: Any) -> None:
    """A copy of the week as a laptop of its own: the keys the week's database was given when
    the start-up figures opened it are that laptop's, not this one's."""
    from peerreview_tui.store import signatures

    assert next(iter(db.query("SELECT count(*) AS n FROM signed_log")))["n"] == 0
    db.execute("DELETE FROM signing_keys")
    db.execute("DELETE FROM roster_keys")
    db.execute("DELETE FROM meta WHERE key = ?", [signatures.LEAD_KEY])


if __name__ == "__main__":
    main()
