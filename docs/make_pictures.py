"""The README's pictures: page 1 of the demo letter and two slides of the demo deck.

Run by `make pictures`. Needs LibreOffice (soffice) and poppler's pdftoppm; the pictures match
what Word and PowerPoint show best where the metric-compatible fonts are installed (on Debian:
libreoffice-writer libreoffice-impress poppler-utils fonts-liberation2 fonts-crosextra-carlito).

The demo review is built in a temporary folder, its findings agreed by the lead (the demo leaves
most of them as drafts), and the letter and the slides exported as PDF the way
`peerreview export letter -o letter.pdf` does it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from peerreview_tui.demo import build_demo
from peerreview_tui.export.documents import export_document
from peerreview_tui.export.slides import deck
from peerreview_tui.models import FindingStatus
from peerreview_tui.store import Store, findings

HERE = Path(__file__).resolve().parent
OUT = HERE / "pictures"
LETTER_DPI = 60  # an A4 page 496 pixels wide
SLIDE_DPI = 48  # a 16:9 slide 640 pixels wide


def main() -> int:
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(f"make pictures needs {' and '.join(missing)} (LibreOffice, poppler-utils)", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="peerreview-pictures-") as folder:
        work = Path(folder)
        build_demo(work / "demo.db")
        with Store.open(work / "demo.db") as store:
            for view in findings.list_findings(store, status=FindingStatus.DRAFT):
                findings.agree_finding(store, view.finding.id, "lead")
            export_document(store, "letter", "pdf", work / "letter.pdf")
            slides = export_document(store, "slides", "pdf", work / "slides.pdf")
        titles = [slide.title for slide in deck(slides.content)]
        area = titles.index(slides.content.areas[0].title) + 1
        picture(work / "letter.pdf", 1, LETTER_DPI, "letter-page-1")
        picture(work / "slides.pdf", 1, SLIDE_DPI, "slides-title")
        picture(work / "slides.pdf", area, SLIDE_DPI, "slides-focus-area")
    for made in sorted(OUT.glob("*.png")):
        print(f"{made.relative_to(HERE.parent)}: {made.stat().st_size // 1024} KB")
    return 0


def picture(pdf: Path, page: int, dpi: int, name: str) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(OUT / name),
        ],
        check=True,
    )


if __name__ == "__main__":
    sys.exit(main())
