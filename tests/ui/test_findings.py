"""Day five: agreeing is the lead's, every change is in the history, the badge tells the sources."""

from __future__ import annotations

import datetime as dt
import re

from textual.screen import ModalScreen
from textual.widgets import OptionList

from peerreview_tui.models import FindingSection, FindingStatus
from peerreview_tui.store import Store, findings, week
from peerreview_tui.ui.modals.audit import AuditModal
from peerreview_tui.ui.modals.confirm import ConfirmModal
from peerreview_tui.ui.modals.finding_form import SECTION_LABELS
from peerreview_tui.ui.screens.findings import FindingsScreen

from .conftest import SIZE, make_app, wait_until


def _draft(store: Store):
    return next(
        v for v in findings.list_findings(store) if v.finding.title.startswith("Child protection plans")
    )


async def _select(app, pilot, finding_id: str) -> FindingsScreen:
    await pilot.press("f5")
    await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen) and app.screen.views)
    screen = app.screen
    listing = screen.query_one("#findings", OptionList)
    listing.highlighted = listing.get_option_index(finding_id)
    await wait_until(pilot, lambda: screen.detail is not None and screen.detail.view.finding.id == finding_id)
    return screen


async def test_the_lead_agrees_a_finding_and_sees_it_in_the_history(demo) -> None:
    target = _draft(demo)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _select(app, pilot, target.finding.id)
        detail = str(screen.query_one("#finding-detail").render())
        assert target.badge.label() in detail and "Evidence (" in detail
        await pilot.press("g")
        await wait_until(
            pilot,
            lambda: findings.get_finding(demo, target.finding.id).finding.status is FindingStatus.AGREED,
        )
        await wait_until(
            pilot, lambda: "Agreed by Helen Marchbank" in str(screen.query_one("#finding-detail").render())
        )
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, AuditModal))
        history = str(app.screen.query_one("Static").render())
        assert "agree" in history and "Helen Marchbank" in history and "draft → agreed" in history


async def test_only_the_lead_is_offered_agree_and_quotes(demo) -> None:
    target = _draft(demo)
    app = make_app(demo, me="officer1")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, target.finding.id)
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert {"edit", "attach"} <= offered and not {"agree", "reopen", "quote"} & offered
        await pilot.press("g")
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert findings.get_finding(demo, target.finding.id).finding.status is FindingStatus.DRAFT
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, target.finding.id)
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert {"agree", "quote", "edit"} <= offered and "reopen" not in offered


async def test_an_agreed_finding_is_the_leads_to_change(demo) -> None:
    agreed = next(v for v in findings.list_findings(demo) if v.finding.status is FindingStatus.AGREED)
    app = make_app(demo, me="officer1")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, agreed.finding.id)
        offered = {binding.action for _, binding, enabled, _ in app.active_bindings.values() if enabled}
        assert not {"edit", "attach", "detach", "delete", "agree", "reopen"} & offered
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ModalScreen)


async def test_editing_the_wording_of_an_agreed_finding_returns_it_to_draft(demo) -> None:
    agreed = next(v for v in findings.list_findings(demo) if v.finding.status is FindingStatus.AGREED)
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, agreed.finding.id)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#title").value = "Supervision is regular and reflective"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: findings.get_finding(demo, agreed.finding.id).finding.status is FindingStatus.DRAFT
        )
    assert (
        findings.get_finding(demo, agreed.finding.id).finding.title == "Supervision is regular and reflective"
    )


async def test_the_form_moves_a_finding_to_another_focus_area_and_section(demo) -> None:
    draft = _draft(demo)
    areas = [area.id for area in week.focus_areas(demo)]
    target = next(area for area in areas if area != draft.finding.focus_area_id)
    steps = areas.index(target) - areas.index(draft.finding.focus_area_id)
    app = make_app(demo, me="officer1")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _select(app, pilot, draft.finding.id)
        # the form opens on the title; shift+tab goes back to the focus area, enter opens its list
        await pilot.press("e", "shift+tab", "enter", *(["down"] * steps if steps > 0 else ["up"] * -steps))
        await pilot.press("enter", "ctrl+s")
        await wait_until(
            pilot, lambda: findings.get_finding(demo, draft.finding.id).finding.focus_area_id == target
        )
        title = next(area.title for area in week.focus_areas(demo) if area.id == target)
        await wait_until(pilot, lambda: screen.detail.view.finding.focus_area_id == target)
        assert title in str(screen.query_one("#finding-detail").render())
        assert any(f"Moved to {title}: " in str(n.message) for n in app._notifications)
        # a key message belongs to no focus area: choosing it greys the focus area out
        sections = list(SECTION_LABELS)
        down = sections.index(FindingSection.KEY_MESSAGE) - sections.index(draft.finding.section)
        await pilot.press(
            "e", "shift+tab", "shift+tab", "enter", *(["down"] * down or ["up"] * -down), "enter"
        )
        await wait_until(pilot, lambda: app.screen.query_one("#area").disabled)
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: (
                findings.get_finding(demo, draft.finding.id).finding.section is FindingSection.KEY_MESSAGE
            ),
        )
    moved = findings.get_finding(demo, draft.finding.id).finding
    assert moved.focus_area_id is None and moved.title == draft.finding.title


async def test_the_history_reads_names_titles_words_and_local_times(demo) -> None:
    """Not 'focus area id: (none) → practice' in UTC: the focus area's title, the field in words,
    the reviewer's name, the time in local time."""
    area = next(a for a in week.focus_areas(demo) if a.id == "practice")
    made = findings.create_finding(
        demo,
        section=FindingSection.STRENGTH,
        focus_area_id="practice",
        title="Supervision is regular",
        body="Workers say so.",
        actor="officer1",
    )
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, made.id)
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, AuditModal))
        history = str(app.screen.query_one("Static").render())
    assert f"focus area: (none) → {area.title}" in history
    assert "section: (none) → Strength / good practice" in history
    assert "Priya Natarajan  wrote it" in history
    assert "focus area id" not in history and "UTC" not in history and "officer1" not in history
    stamp = dt.datetime.fromisoformat(made.created_at).astimezone()
    assert f"{stamp:%a %-d %b %H:%M}" in history


async def test_agreeing_a_finding_that_names_someone_asks_first(demo) -> None:
    target = _draft(demo)
    findings.update_finding(demo, target.finding.id, "lead", body="Cllr Janet Pryce was clear about it.")
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, target.finding.id)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), timeout=30)
        assert "Pryce" in app.screen.question and "rephrase" in app.screen.question
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert findings.get_finding(demo, target.finding.id).finding.status is FindingStatus.DRAFT
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal), timeout=30)
        await pilot.click("#yes")
        await wait_until(
            pilot,
            lambda: findings.get_finding(demo, target.finding.id).finding.status is FindingStatus.AGREED,
        )


async def test_a_finding_that_names_someone_is_flagged_as_soon_as_it_is_saved(demo) -> None:
    target = _draft(demo)
    app = make_app(demo, me="officer1")
    async with app.run_test(size=SIZE) as pilot:
        await _select(app, pilot, target.finding.id)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#title").value = "Cllr Janet Pryce leads well"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: any(
                "Pryce" in str(n.message) and "rephrase" in str(n.message) for n in app._notifications
            ),
            timeout=30,
        )


def _left_text(app, widget) -> str:
    """What the screen shows in ``widget``'s place, its lines joined as one reads them."""
    region = widget.scrollable_content_region  # not its scroll bar
    lines = app.screen._compositor.render_strips()[region.y : region.bottom]
    return " ".join(" ".join(line.text[region.x : region.right].split()) for line in lines)


async def test_every_title_badge_and_count_is_read_whole_at_100_columns(demo) -> None:
    views = findings.list_findings(demo)
    app = make_app(demo, me="lead")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen) and app.screen.views)
        listing = app.screen.query_one("#findings", OptionList)
        seen = [_left_text(app, listing)]
        while listing.highlighted is not None and listing.highlighted < listing.option_count - 1:
            await pilot.press("pagedown")  # the list scrolls; every row comes into sight once
            await pilot.pause()
            seen.append(_left_text(app, listing))
        groups = app.screen._groups()
    shown = "\n".join(seen)
    for view in views:
        assert f"{view.finding.title} {view.badge.label()}" in shown, view.finding.title
    assert "single source" in shown
    # a heading wraps beside its count: "Impact of … and service  0/1 agreed  re-modelling: strengths"
    counts = set()
    for heading, section, area in groups:
        assert heading in re.sub(r" \d+/\d+ agreed", "", shown), heading
        members = [v for v in views if (v.finding.section, v.finding.focus_area_id) == (section, area)]
        agreed = sum(v.finding.status is FindingStatus.AGREED for v in members)
        counts.add(f"{agreed}/{len(members)} agreed")
    assert set(re.findall(r"\d+/\d+ agreed", shown)) == counts  # none cut
