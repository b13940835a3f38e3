"""Schedule file (YAML) -> ``Schedule``, with errors that name the file, line, field and the fix.

Every problem is reported as ``file:line: path: message``; nothing in a schedule file, however
broken, produces anything but a ``ScheduleError``. Line numbers come from PyYAML's node marks:
the document is composed into nodes first, and pydantic's error locations are walked down that
node tree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .models import Schedule
from .schedule_checks import Issue, Loc, check_meaning

MAX_BYTES = 2 * 1024 * 1024  # a real week is ~30 KB; anything near this is not a schedule


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScheduleError(Exception):
    """The schedule file cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedSchedule:
    schedule: Schedule
    warnings: list[Problem]


# --- Reading YAML ------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's surprises: `10:30` stays text (not 630 in base 60) and
    `no`/`on` stay text (not booleans). Aliases are refused: they hide copies and can explode."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (& and *) are not supported",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]  # types-PyYAML leaves it untyped
            )
        return super().compose_node(parent, index)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # PyYAML lets converters fail with bare Python errors (2012-02-30, `!!int ''`). Keep the
        # text instead: validation then names the field and says what was expected there.
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError):
            if isinstance(node, yaml.ScalarNode):
                return node.value
            raise yaml.constructor.ConstructorError(None, None, "cannot be read", node.start_mark) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag.rsplit(":", 1)[-1] not in {"int", "float", "bool"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_schedule(path: str | Path) -> LoadedSchedule:
    """Read and check a schedule file. Raises ``ScheduleError``, never anything else."""
    path = Path(path)
    name = path.name
    try:
        if path.is_dir():
            raise ScheduleError([Problem(name, None, "", "is a folder, not a schedule file")])
        if path.exists() and not path.is_file():
            raise ScheduleError([Problem(name, None, "", "is not a regular file")])
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScheduleError([_too_big(name, size)])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScheduleError([Problem(str(path), None, "", "no such file")]) from None
    except OSError as error:
        raise ScheduleError([Problem(str(path), None, "", f"cannot be read ({error.strerror})")]) from None
    return parse_schedule(raw, name)


def parse_schedule(raw: bytes | str, name: str = "schedule.yaml") -> LoadedSchedule:
    """Check a schedule given as bytes or text; ``name`` is used in messages."""
    text = _decode(raw, name)
    root = _compose(text, name)
    data = _construct(root, name)
    try:
        schedule = Schedule.model_validate(data)
    except ValidationError as error:
        problems = [_problem_from_pydantic(e, root, name) for e in error.errors()]
        raise ScheduleError(problems) from None
    except RecursionError:
        raise ScheduleError([Problem(name, None, "", "is nested too deeply")]) from None
    errors, warnings = _located(check_meaning(schedule), root, name)
    if errors:
        raise ScheduleError(errors)
    return LoadedSchedule(schedule, warnings)


def _too_big(name: str, size: int) -> Problem:
    megabytes = math.ceil(size / 104_857.6) / 10  # rounded up: 2 MB and a byte is "2.1 MB"
    return Problem(
        name, None, "", f"is {megabytes} MB; a schedule file is at most {MAX_BYTES // 1_048_576} MB"
    )


def _reader_problem(error: yaml.reader.ReaderError, text: str, name: str) -> Problem:
    line = text[: error.position].count("\n") + 1
    character = error.character if isinstance(error.character, str) else chr(error.character)
    return Problem(
        name, line, "", f"contains a control character ({ord(character):#04x}) that YAML does not allow"
    )


def _decode(raw: bytes | str, name: str) -> str:
    if isinstance(raw, str):
        text = raw
    else:
        if len(raw) > MAX_BYTES:
            raise ScheduleError([_too_big(name, len(raw))])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise ScheduleError(
                [Problem(name, line, "", "is not UTF-8 text (is this a binary file?)")]
            ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScheduleError([Problem(name, line, "", "contains binary data, not YAML text")])
    return text


def _compose(text: str, name: str) -> yaml.Node:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        raise ScheduleError([_reader_problem(error, text, name)]) from None
    try:
        root = loader.get_single_node()
    except yaml.reader.ReaderError as error:
        raise ScheduleError([_reader_problem(error, text, name)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        detail = error.problem or error.context or "is not valid YAML"
        if "\\t" in detail or "\t" in detail or "tab" in detail:
            detail += " (indent with spaces, not tabs)"
        raise ScheduleError([Problem(name, line, "", f"not valid YAML: {detail}")]) from None
    except yaml.YAMLError as error:
        raise ScheduleError([Problem(name, None, "", f"not valid YAML: {error}")]) from None
    except RecursionError:
        raise ScheduleError([Problem(name, None, "", "is nested too deeply")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise ScheduleError([Problem(name, None, "", "is empty; copy schedule.example.yaml to start one")])
    if not isinstance(root, yaml.MappingNode):
        raise ScheduleError(
            [
                Problem(
                    name,
                    root.start_mark.line + 1,
                    "",
                    f"expected a mapping with review, focus_areas, reviewers and days at the top, "
                    f"got {_node_kind(root)}",
                )
            ]
        )
    _check_nodes(root, name)
    return root


def _check_nodes(root: yaml.Node, name: str) -> None:
    """Refuse duplicate keys: PyYAML would silently keep the last one."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise ScheduleError(
                        [Problem(name, key.start_mark.line + 1, path, "a key must be a plain name")]
                    )
                if key.value in keys:
                    raise ScheduleError(
                        [Problem(name, key.start_mark.line + 1, _join(path, key.value), "appears twice")]
                    )
                keys.add(key.value)
                stack.append((value, _join(path, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(node.value))


def _construct(root: yaml.Node, name: str) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise ScheduleError([Problem(name, line, "", f"not valid YAML: {error.problem}")]) from None
    except (yaml.YAMLError, ValueError, OverflowError) as error:
        # e.g. a timestamp like 2012-02-30 that PyYAML cannot turn into a date
        raise ScheduleError([Problem(name, None, "", f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()


# --- Pydantic errors -> problems ---------------------------------------------------------


def _problem_from_pydantic(error: Any, root: yaml.Node, name: str) -> Problem:
    loc = [part for part in error["loc"] if isinstance(part, (str, int))]
    node, parent = _node_at(root, loc)
    line = (node or parent or root).start_mark.line + 1
    return Problem(name, line, _path(loc), _message(error))


def _message(error: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        loc = [part for part in error["loc"] if isinstance(part, str)]
        fields = _fields_at(error["loc"][:-1])
        close = difflib.get_close_matches(str(error["loc"][-1]), fields, n=1)
        hint = (
            f" (did you mean '{close[0]}'?)"
            if close
            else f" (expected one of: {', '.join(fields)})"
            if fields
            else ""
        )
        return f"is not a known field here{hint}" if loc else "is not a known field"
    if kind in {"bad_id", "bad_time", "empty_text", "bad_value"}:
        return str(error["msg"])
    if kind == "too_short":
        return "needs at least one entry"
    expected = _expected(kind, ctx)
    if expected is None:
        return str(error["msg"]).replace("Input should be", "should be")
    if value is None:
        return f"is empty; expected {expected}"
    if kind in {"string_type", "list_type", "model_type", "model_attributes_type", "dict_type"}:
        return f"expected {expected}, got {_kind_of(value)}"
    return f"{_show(value)} is not {expected}"


def _expected(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind == "string_type":
        return "text"
    if kind == "list_type":
        return "a list"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "a mapping (name: value lines)"
    if kind.startswith("date"):
        return "a date (YYYY-MM-DD)"
    if kind == "enum":
        return f"one of: {ctx.get('expected', '').replace(chr(39), '')}"
    if kind.startswith("bool"):
        return "true or false"
    if kind.startswith("int"):
        return "a whole number"
    return None


def _fields_at(loc: Loc) -> list[str]:
    """The fields the schedule file allows at ``loc`` (walking the models, not the data)."""
    model: type[BaseModel] = Schedule
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{_show(value)}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return f"the value {_show(node.value)}"


def _node_at(root: yaml.Node, loc: Loc) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The node at ``loc`` (None if it is missing) and the deepest node found on the way."""
    node: yaml.Node | None = root
    parent: yaml.Node | None = root
    for part in loc:
        parent = node
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if k.value == part), None)
            if node is None:
                # an unknown field: point at its key
                node = next((k for k, _ in parent.value if k.value == part), None)  # type: ignore[union-attr]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None, parent
        if node is None:
            return None, parent
    return node, parent


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, part)
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _located(issues: list[Issue], root: yaml.Node, name: str) -> tuple[list[Problem], list[Problem]]:
    """The checks' findings as problems with the file's line numbers: (errors, warnings)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for issue in issues:
        node, parent = _node_at(root, issue.loc)
        line = (node or parent or root).start_mark.line + 1 if issue.pinned else None
        (warnings if issue.warning else errors).append(Problem(name, line, _path(issue.loc), issue.message))
    return errors, warnings
