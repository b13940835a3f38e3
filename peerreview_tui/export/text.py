"""Text as a document can hold it.

A note keeps what the reviewer typed or pasted, control characters and all (a bell from a
terminal, a vertical tab from Word, an escape sequence). Word and PowerPoint files are XML,
which cannot hold them, and in a Markdown file they garble a terminal: so every writer leaves
them out, and the export says where it did.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from pydantic import BaseModel

# C0 and C1 controls except tab, newline and carriage return; DEL; lone surrogates; and the two
# non-characters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Controls that separate words (vertical tab, form feed, the separators, NEL) become a space,
# so the words either side do not run together.
_SPACING = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")

T = TypeVar("T")


def printable(text: str) -> str:
    """``text`` without the control characters a document cannot hold."""
    return _CONTROL.sub(lambda match: " " if match.group() in _SPACING else "", text)


def printable_content(value: T) -> T:
    """A copy of ``value`` (the letter's content: frozen dataclasses, tuples, pydantic models)
    with every string made ``printable``."""
    return cast(T, _clean(value))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, tuple):
        return tuple(_clean(item) for item in value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _clean(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    if isinstance(value, BaseModel):
        return value.model_copy(
            update={name: _clean(getattr(value, name)) for name in type(value).model_fields}
        )
    return value


def control_warnings(texts: Iterable[tuple[str, str]]) -> list[str]:
    """For each (where, text) holding control characters, one line saying they are left out."""
    warnings = []
    for where, text in texts:
        found = sorted({f"U+{ord(character):04X}" for character in _CONTROL.findall(text)})
        if found:
            plural = "s" if len(found) > 1 else ""
            warnings.append(
                f"{where}: control character{plural} {', '.join(found)} left out of the document "
                "(kept in the review as typed)"
            )
    return warnings
