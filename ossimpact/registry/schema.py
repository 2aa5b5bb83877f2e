"""The shape of a registry file: which keys, which types. Cross-entry rules live in rules.py.

Each entry is validated on its own so one broken organisation does not hide the problems of the
next; pydantic's errors are rewritten in the operator's words and placed on their YAML line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from ossimpact.domain import Category, Confidence
from ossimpact.guarded_yaml import YamlDocument
from ossimpact.registry.problems import FieldPath, RegistryProblem, field_name

OrganizationKind = Literal["company", "university", "lab", "institute"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class OrganizationEntry(_Entry):
    id: str
    name: str
    name_zh: str | None = None
    kind: OrganizationKind | None = None
    city: str | None = None
    evidence: list[str] = Field(default_factory=list)
    confidence: Confidence | None = None
    huggingface: list[str] = Field(default_factory=list)
    github: list[str] = Field(default_factory=list)
    notes: str | None = None
    # the mainland hubs: ModelScope owners and OpenDataLab publishers (owner of OWNER/NAME ids)
    modelscope: list[str] = Field(default_factory=list)
    opendatalab: list[str] = Field(default_factory=list)


class ProductEntry(_Entry):
    id: str
    name: str
    category: Category
    organization: str
    include: list[str] = Field(min_length=1)
    # artifacts the include patterns match that this product does not claim
    exclude: list[str] = Field(default_factory=list)
    # true: the matched artifacts are never grouped into a family; each is a product of its own
    separate: bool = False
    description: str | None = None


class ExcludedEntry(_Entry):
    """A look-alike that is not in Shanghai: its handles are never counted."""

    id: str
    name: str
    name_zh: str | None = None
    city: str | None = None
    reason: str
    evidence: list[str] = Field(default_factory=list)
    huggingface: list[str] = Field(default_factory=list)
    github: list[str] = Field(default_factory=list)


SECTIONS: dict[str, type[_Entry]] = {
    "organizations": OrganizationEntry,
    "products": ProductEntry,
    "excluded": ExcludedEntry,
}
REQUIRED_SECTIONS = ("organizations",)

EntryT = TypeVar("EntryT", bound=_Entry)


@dataclass(frozen=True)
class Checkable(Generic[EntryT]):
    """An entry for the cross-entry rules.

    A partial entry failed validation; it keeps only its valid keys (others take their defaults,
    a missing required key is absent) so the rules can still report what else is wrong with it.
    """

    path: FieldPath
    entry: EntryT
    partial: bool = False

    def has(self, name: str) -> bool:
        return not self.partial or name in self.entry.model_fields_set


@dataclass
class Entries:
    """Entries that have the right shape, each with its path, plus the ids of broken ones."""

    organizations: list[Checkable[OrganizationEntry]] = field(default_factory=list)
    products: list[Checkable[ProductEntry]] = field(default_factory=list)
    excluded: list[Checkable[ExcludedEntry]] = field(default_factory=list)
    # Ids of entries that failed validation: references to them are not reported again.
    broken_ids: dict[str, set[str]] = field(default_factory=dict)
    # Sections that are present but not a list: nothing in them can be referred to reliably.
    unread_sections: set[str] = field(default_factory=set)


def read_entries(
    document: YamlDocument, file: str, quiet: set[FieldPath]
) -> tuple[Entries, list[RegistryProblem]]:
    problems: list[RegistryProblem] = []
    entries = Entries()

    def report(path: FieldPath, message: str) -> None:
        if any(path[: len(q)] == q for q in quiet):
            return
        problems.append(RegistryProblem(file, document.line_of(path), field_name(path), message))

    data = document.data
    if not isinstance(data, dict):
        report(
            (), f"the registry must be a mapping with {', '.join(SECTIONS)}; got {_describe(data)}"
        )
        return entries, problems
    for key in data:
        if key not in SECTIONS:
            report((key,), f"unknown key {key!r}; known keys: {', '.join(SECTIONS)}")
    for key in REQUIRED_SECTIONS:
        if key not in data:
            report((), f"required key {key!r} is missing")
    for section, model in SECTIONS.items():
        items = data.get(section, [])
        if not isinstance(items, list):
            report((section,), f"expected a list of entries, got {_describe(items)}")
            entries.unread_sections.add(section)
            continue
        entries.broken_ids[section] = set()
        for index, item in enumerate(items):
            path: FieldPath = (section, index)
            try:
                checkable = Checkable(path, model.model_validate(item))
            except ValidationError as exc:
                errors = exc.errors()
                for error in errors:
                    report((*path, *error["loc"]), _message(error, model))
                if not isinstance(item, dict):
                    continue
                bad_keys = {error["loc"][0] for error in errors if error["loc"]}
                if "id" in bad_keys and isinstance(item.get("id"), str):
                    entries.broken_ids[section].add(item["id"])
                valid = {
                    k: v for k, v in item.items() if k not in bad_keys and k in model.model_fields
                }
                checkable = Checkable(path, model.model_construct(**valid), partial=True)
            getattr(entries, section).append(checkable)
    return entries, problems


def _message(error: ErrorDetails, model: type[_Entry]) -> str:
    kind = error["type"]
    value = error.get("input")
    key = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        return f"unknown key {key!r}; known keys: {', '.join(model.model_fields)}"
    if kind == "missing":
        return f"required key {key!r} is missing"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of keys to values, got {_describe(value)}"
    if kind == "list_type":
        hint = f" (write [{value}])" if isinstance(value, str) else ""
        return f"expected a list, got {_describe(value)}{hint}"
    if kind == "string_type":
        hint = " (quote it if it is meant as text)" if _is_plain_scalar(value) else ""
        return f"expected text, got {_describe(value)}{hint}"
    if kind == "too_short" and key == "include":
        return "must list at least one artifact id or pattern"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        label = "category" if key == "category" else "value"
        return f"bad {label} {value!r}: expected {expected}"
    return f"{error['msg']} (got {_describe(value)})"


def _is_plain_scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | dt.date)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
