"""Exporting from the app: into the exports folder of the data folder (or the one last chosen),
asking before replacing a file; the guard stops a named person; the lead can keep a phrase on
purpose; labels show user text as written."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, Label, OptionList, Select

from peerreview_tui.store import findings
from peerreview_tui.ui.modals.choice import ChoiceModal
from peerreview_tui.ui.modals.confirm import ConfirmModal
from peerreview_tui.ui.modals.export import ExportModal

from .conftest import SIZE, make_app, settle, wait_until

SMALL = (100, 30)


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


async def _open_export(pilot) -> ExportModal:
    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExportModal))
    return pilot.app.screen


async def test_the_letter_goes_to_the_exports_folder_in_the_data_folder(demo, data_home) -> None:
    expected = data_home / "exports" / "northborough-2012-letter.docx"
    app = make_app(demo, me="lead")
    async with app.run_test(size=SMALL) as pilot:
        modal = await _open_export(pilot)
        assert modal.query_one("#path", Input).value == str(expected)  # shown in the form
        assert str(data_home / "exports") in str(modal.query_one("#folder-note", Label).content)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportModal))
        notices = [n.message for n in app._notifications]
        assert any(f"Written to {expected}" in message for message in notices)
    assert expected.exists()
    assert not Path("northborough-2012-letter.docx").exists()  # never the current folder


async def test_an_existing_file_is_replaced_only_once_confirmed(demo, tmp_path) -> None:
    target = tmp_path / "letter.md"
    target.write_text("the copy sent to the council")
    app = make_app(demo, me="lead")
    async with app.run_test(size=SMALL) as pilot:
        modal = await _open_export(pilot)
        modal.query_one("#format", Select).value = "md"
        await pilot.pause()
        modal.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert str(target) in str(app.screen.query_one(Label).content)
        await pilot.press("n")  # keep it
        await wait_until(pilot, lambda: app.screen is modal)
        assert target.read_text() == "the copy sent to the council"
        assert "Not written" in str(modal.query_one("#problems").render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportModal | ConfirmModal))
    assert target.read_text().startswith("**Private and confidential**")


async def test_the_folder_exported_to_is_remembered(demo, tmp_path) -> None:
    folder = tmp_path / "for the council"
    folder.mkdir()
    app = make_app(demo, me="lead")
    async with app.run_test(size=SMALL) as pilot:
        modal = await _open_export(pilot)
        modal.query_one("#path", Input).value = str(folder / "letter.docx")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportModal))
        await settle(pilot)
        modal = await _open_export(pilot)
        assert modal.query_one("#path", Input).value == str(folder / "northborough-2012-letter.docx")


async def test_the_drafts_checkbox_shows_draft_in_brackets(demo) -> None:
    app = make_app(demo, me="lead")
    async with app.run_test(size=SMALL) as pilot:
        modal = await _open_export(pilot)
        label = str(modal.query_one("#drafts", Checkbox).label)
        assert "(marked [DRAFT]; not for sending)" in label


async def test_confirm_and_choice_show_user_text_as_written(demo) -> None:
    """Titles and quotes with brackets are text, not markup: nothing is swallowed."""
    app = make_app(demo, me="lead")
    async with app.run_test(size=SMALL) as pilot:
        app.push_screen(ConfirmModal("Delete the finding '[DRAFT] thresholds [b]unclear'?"))
        await pilot.pause()
        assert "'[DRAFT] thresholds [b]unclear'" in str(app.screen.query_one(Label).render())
        await pilot.press("escape")
        prompt = "Use which quote in the letter (again to stop using it)? Never attributed."
        app.push_screen(ChoiceModal(prompt, [('! "we [never] see the plan"', "q1")]))
        await pilot.pause()
        label = app.screen.query_one(Label)
        # the whole prompt is on screen at 100×30: it wraps instead of being cut
        lines = [str(line.text) for line in label.render_lines(label.region.reset_offset)]
        assert "".join(lines).replace(" ", "").endswith("Neverattributed.")
        assert "[never]" in str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
