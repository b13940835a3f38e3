"""PDF through LibreOffice: the Word letter or the PowerPoint deck converted by ``soffice``
(found on PATH) in a private temporary folder, then put in place like any export."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from .content import write_privately

TIMEOUT = 300  # seconds; a first run sets up LibreOffice's profile, which takes a while
PACKAGES = {"docx": "libreoffice-writer", "pptx": "libreoffice-impress"}


class ConversionError(ValueError):
    """No PDF: LibreOffice is missing or failed; the message says what to do."""


def libreoffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_libreoffice(source_format: str) -> str:
    """The program, or ``ConversionError`` naming the package to install."""
    program = libreoffice()
    if program is None:
        raise ConversionError(
            "writing PDF needs LibreOffice, which is not installed here (no soffice on PATH): "
            f"install the package {PACKAGES[source_format]} (or LibreOffice from libreoffice.org), "
            f"or write the .{source_format} and save it as PDF yourself"
        )
    return program


def write_pdf(path: Path, source_format: str, write_source: Callable[[Path], None]) -> None:
    """Have ``write_source`` write the document (.docx or .pptx) in a private temporary folder,
    convert it, and put the PDF at ``path``; nothing is left behind but the PDF."""
    program = require_libreoffice(source_format)
    with tempfile.TemporaryDirectory(prefix="peerreview-pdf-") as folder:  # readable by its owner only
        work = Path(folder)
        source = work / f"document.{source_format}"
        write_source(source)
        try:
            done = subprocess.run(
                [
                    program,
                    "--headless",
                    "--norestore",
                    # a profile of its own: a LibreOffice already open on the desktop is left alone
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(f"LibreOffice did not finish the PDF in {TIMEOUT} seconds") from None
        except OSError as error:
            raise ConversionError(f"LibreOffice could not be started: {error.strerror or error}") from None
        made = work / "document.pdf"
        if done.returncode != 0 or not made.is_file():
            said = (done.stderr or done.stdout).strip().splitlines()
            detail = f": {said[-1][:200]}" if said else ""
            raise ConversionError(f"LibreOffice could not convert the document to PDF{detail}")

        def copy(temp: Path) -> None:
            shutil.copyfile(made, temp)

        write_privately(path, copy)
