"""Guarded, line-aware YAML reading for the project's own files (registry, methodology).

A leaf module: it imports nothing of ours, so the registry (the spine) and the methodology
(scoring) share one reader without a layer leaning on another. It refuses what a hostile or
mistaken file can do to a loader (alias bombs, duplicate keys, unsafe tags, oversize or deep
files, FIFOs) and reports every problem with file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FieldPath = tuple[str | int, ...]


def field_name(path: FieldPath) -> str:
    """`("products", 3, "include", 1)` → `products[3].include[1]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, order=True)
class RegistryProblem:
    """One thing wrong in a registry file, with where it is (line numbers start at 1)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}:{self.line}: {self.field}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 64
MAX_DEPTH = 32
MAX_VALUES = 100_000

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "null", "bool", "int", "float", "timestamp")}


class _LimitExceeded(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


# libyaml parses about ten times faster than pure Python; both give the same events and nodes.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_budget(text: str) -> None:
    """Count aliases and nesting on the event stream, before anything is composed or expanded."""
    aliases = 0
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=_SAFE_LOADER)):
        if count > MAX_VALUES:
            # Composing costs far more than scanning: stop before a huge file ties up a worker.
            raise _LimitExceeded(
                f"more than {MAX_VALUES} YAML values; a registry or methodology is never that large",
                event.start_mark.line + 1 if event.start_mark else 1,
            )
        if isinstance(event, AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _LimitExceeded(
                    f"more than {MAX_ALIASES} aliases (*name); refusing a possible alias bomb",
                    event.start_mark.line + 1 if event.start_mark else 1,
                )
        elif isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _LimitExceeded(
                    f"nested more than {MAX_DEPTH} levels deep",
                    event.start_mark.line + 1 if event.start_mark else 1,
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


@dataclass
class YamlDocument:
    """Plain data (dicts, lists, scalars) and the 1-based line of each field path."""

    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of a path, or of its nearest ancestor that has one (e.g. for a missing key)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


@dataclass
class YamlResult:
    document: YamlDocument | None
    problems: list[RegistryProblem]
    # Paths whose value could not be read; later checks stay quiet about them to avoid echoes.
    unreadable: set[FieldPath] = field(default_factory=set)


def read_yaml(path: Path) -> YamlResult:
    file = str(path)

    def fail(line: int, message: str) -> YamlResult:
        return YamlResult(None, [RegistryProblem(file, line, "", message)])

    try:
        # A FIFO or a device would block the open or never end: only a regular file is read.
        if path.exists() and not path.is_file():
            return fail(1, "not a regular file (a FIFO or a device?); expected a YAML file")
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return fail(1, f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:
        return fail(1, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not reading it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return fail(line, f"not UTF-8 text (byte {exc.start}: {exc.reason})")
    return parse_yaml_text(text, file)


def parse_yaml_text(text: str, file: str) -> YamlResult:
    try:
        _check_budget(text)
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except _LimitExceeded as exc:
        return YamlResult(None, [RegistryProblem(file, exc.line, "", str(exc))])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        return YamlResult(None, [RegistryProblem(file, line, "", f"YAML syntax: {reason}")])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return YamlResult(None, [RegistryProblem(file, line, "", f"YAML syntax: {exc}")])
    except (yaml.YAMLError, RecursionError) as exc:
        return YamlResult(None, [RegistryProblem(file, 1, "", f"YAML syntax: {exc}")])
    if root is None or (isinstance(root, ScalarNode) and root.tag == f"{_TAG}null"):
        return YamlResult(None, [RegistryProblem(file, 1, "", "the file is empty")])
    return _Plainer(file).run(root)


class _TooMuch(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node


class _Plainer:
    """Turns a node tree into plain data, recording lines, within the value and depth budget."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.document = YamlDocument(None)
        self.problems: list[RegistryProblem] = []
        self.unreadable: set[FieldPath] = set()
        self.values = 0
        self.constructor = SafeConstructor()

    def run(self, root: Node) -> YamlResult:
        self.document.lines[()] = root.start_mark.line + 1
        try:
            self.document.data = self.plain(root, ())
        except _TooMuch as exc:
            self.problem(exc.node, (), str(exc))
            return YamlResult(None, self.problems)
        return YamlResult(self.document, self.problems, self.unreadable)

    def problem(self, node: Node, path: FieldPath, message: str) -> None:
        self.problems.append(
            RegistryProblem(self.file, node.start_mark.line + 1, field_name(path), message)
        )

    def plain(self, node: Node, path: FieldPath) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooMuch(node, f"more than {MAX_VALUES} values (aliases expand too far)")
        if len(path) > MAX_DEPTH:
            raise _TooMuch(node, f"nested more than {MAX_DEPTH} levels deep (recursive alias?)")
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        return self.unsupported(node, path)

    def mapping(self, node: MappingNode, path: FieldPath) -> Any:
        if node.tag != f"{_TAG}map":
            return self.unsupported(node, path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                self.problem(
                    key_node, path, "merge keys (<<) are not supported; write the keys out"
                )
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == f"{_TAG}str"):
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                self.problem(key_node, path, f"key {shown!r} must be plain text (quote it)")
                continue
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = self.document.lines.get(child)
                self.problem(key_node, child, f"duplicate key {key!r} (first at line {first})")
                continue
            self.document.lines[child] = key_node.start_mark.line + 1
            result[key] = self.plain(value_node, child)
        return result

    def sequence(self, node: SequenceNode, path: FieldPath) -> Any:
        if node.tag != f"{_TAG}seq":
            return self.unsupported(node, path)
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.document.lines[child] = item.start_mark.line + 1
            items.append(self.plain(item, child))
        return items

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            return self.unsupported(node, path)
        try:
            value = self.constructor.construct_object(node, deep=False)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.problem(node, path, f"cannot read value {node.value!r}: {exc}")
            self.unreadable.add(path)
            return None
        return value

    def unsupported(self, node: Node, path: FieldPath) -> None:
        self.problem(node, path, f"unsupported YAML tag {node.tag!r}; only plain YAML is allowed")
        self.unreadable.add(path)
        return None
