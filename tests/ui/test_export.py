"""Exporting from the app: the guard stops a named person; the lead can keep a phrase on purpose."""

from __future__ import annotations

from peerreview_tui.store import findings
from peerreview_tui.ui.modals.export import ExportModal

from .conftest import SIZE, make_app, wait_until


async def test_the_letter_is_exported_from_the_app(demo, tmp_path) -> None:
    target = tmp_path / "letter.docx"
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportModal))
        app.screen.query_one("#path").value = str(target)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: target.exists())
    assert demo.get_meta("letter_exported_at")


def _agreed_with_body(demo, body: str) -> None:
    agreed = next(v for v in findings.list_findings(demo) if v.finding.status.value == "agreed")
    findings.update_finding(demo, agreed.finding.id, "lead", body=body)
    findings.agree_finding(demo, agreed.finding.id, "lead")


async def _blocked_then_kept(demo, target, expected: str) -> None:
    """Export as the lead: refused first, with ``expected`` in the list; then kept and written."""
    app = make_app(demo, me="lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportModal))
        modal = app.screen
        modal.query_one("#format").value = "md"
        await pilot.pause()
        modal.query_one("#path").value = str(target)
        await pilot.press("ctrl+s")
        problems = modal.query_one("#problems")
        await wait_until(pilot, lambda: "Nothing was written" in str(problems.render()), timeout=30)
        assert expected in str(problems.render())
        assert not target.exists()
        await pilot.click("#keep")
        await wait_until(pilot, lambda: target.exists(), timeout=30)


async def test_a_name_blocks_the_export_until_kept_deliberately(demo, tmp_path) -> None:
    _agreed_with_body(demo, "Cllr Janet Pryce was clear about priorities.")
    target = tmp_path / "letter.md"
    await _blocked_then_kept(demo, target, "Pryce")
    assert "Pryce" in target.read_text()


async def test_a_possible_name_not_in_the_schedule_is_listed_and_can_be_accepted(demo, tmp_path) -> None:
    _agreed_with_body(demo, "In one case file Kayden waited four months for a plan.")
    target = tmp_path / "letter.md"
    await _blocked_then_kept(demo, target, "'Kayden' may be someone's name")
    assert "Kayden" in target.read_text()
