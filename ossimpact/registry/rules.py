"""Rules across entries: unique ids, handles owned once, products that point at their own
organisation's handles, and no artifact in two products."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ossimpact.domain import HANDLE_MAX, HANDLE_RE, Organization, Platform, Product
from ossimpact.guarded_yaml import YamlDocument
from ossimpact.registry.model import ExcludedOrganization
from ossimpact.registry.patterns import IncludePattern, InvalidPattern
from ossimpact.registry.problems import FieldPath, RegistryProblem, field_name
from ossimpact.registry.schema import Entries

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
PLATFORM_FIELDS: tuple[tuple[Platform, str, str], ...] = (
    ("hf", "huggingface", "Hugging Face"),
    ("gh", "github", "GitHub"),
    ("ms", "modelscope", "ModelScope"),
    ("od", "opendatalab", "OpenDataLab"),
)
# Excluded look-alikes list Hugging Face and GitHub handles only.
EXCLUDED_PLATFORM_FIELDS = PLATFORM_FIELDS[:2]


@dataclass
class Checked:
    organizations: dict[str, Organization] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    # product id -> (its exclude patterns, separate)
    product_options: dict[str, tuple[list[str], bool]] = field(default_factory=dict)
    excluded: list[ExcludedOrganization] = field(default_factory=list)
    problems: list[RegistryProblem] = field(default_factory=list)


class _Rules:
    def __init__(self, entries: Entries, document: YamlDocument, file: str) -> None:
        self.entries = entries
        self.document = document
        self.file = file
        self.out = Checked()
        # (platform, casefolded handle) -> (organisation id, path) of the first claim
        self.handle_owner: dict[tuple[Platform, str], tuple[str, FieldPath]] = {}
        self.partial_organizations: set[str] = set()

    def report(self, path: FieldPath, message: str) -> None:
        line = self.document.line_of(path)
        self.out.problems.append(RegistryProblem(self.file, line, field_name(path), message))

    def line(self, path: FieldPath) -> int:
        return self.document.line_of(path)

    def check_id(self, path: FieldPath, value: str, seen: dict[str, FieldPath], what: str) -> bool:
        if not ID_RE.match(value):
            self.report(
                (*path, "id"),
                f"malformed id {value!r}: use lowercase letters, digits, '.', '_' or '-'",
            )
            return False
        if value in seen:
            self.report(
                (*path, "id"),
                f"duplicate {what} id {value!r} (first at line {self.line((*seen[value], 'id'))})",
            )
            return False
        seen[value] = path
        return True

    def check_handles(self, path: FieldPath, owner_id: str, handles: dict[str, list[str]]) -> None:
        for platform, key, label in PLATFORM_FIELDS:
            for index, handle in enumerate(handles[key]):
                where = (*path, key, index)
                if not HANDLE_RE.match(handle):
                    self.report(where, _malformed(label, handle))
                    continue
                claim = (platform, handle.casefold())
                if claim in self.handle_owner:
                    other, other_path = self.handle_owner[claim]
                    whose = "this organisation" if other == owner_id else f"organisation {other!r}"
                    self.report(
                        where,
                        f"{label} handle {handle!r} is already claimed by {whose} "
                        f"(line {self.line(other_path)})",
                    )
                    continue
                self.handle_owner[claim] = (owner_id, where)

    def organizations(self) -> None:
        seen: dict[str, FieldPath] = {}
        for item in self.entries.organizations:
            path, entry = item.path, item.entry
            if not item.has("id"):
                continue
            self.check_id(path, entry.id, seen, "organisation")
            self.check_handles(
                path,
                entry.id,
                {
                    "huggingface": entry.huggingface,
                    "github": entry.github,
                    "modelscope": entry.modelscope,
                    "opendatalab": entry.opendatalab,
                },
            )
            if item.partial:
                self.partial_organizations.add(entry.id)
            self.out.organizations.setdefault(
                entry.id,
                Organization(
                    id=entry.id,
                    name=entry.name if item.has("name") else entry.id,
                    name_zh=entry.name_zh,
                    kind=entry.kind,
                    city=entry.city,
                    evidence=tuple(entry.evidence),
                    confidence=entry.confidence,
                    huggingface=tuple(entry.huggingface),
                    github=tuple(entry.github),
                    notes=entry.notes,
                    modelscope=tuple(entry.modelscope),
                    opendatalab=tuple(entry.opendatalab),
                ),
            )

    def excluded(self) -> None:
        seen: dict[str, FieldPath] = {}
        for item in self.entries.excluded:
            path, entry = item.path, item.entry
            if item.partial:
                # Only its handles matter to others: a broken entry is reported, never loaded.
                self.excluded_handles(path, entry.huggingface, entry.github)
                continue
            if self.check_id(path, entry.id, seen, "excluded organisation") and (
                entry.id in self.out.organizations
            ):
                self.report((*path, "id"), f"{entry.id!r} is also an organisation id")
            self.excluded_handles(path, entry.huggingface, entry.github)
            self.out.excluded.append(
                ExcludedOrganization(
                    id=entry.id,
                    name=entry.name,
                    reason=entry.reason,
                    huggingface=tuple(entry.huggingface),
                    github=tuple(entry.github),
                    name_zh=entry.name_zh,
                    city=entry.city,
                    evidence=tuple(entry.evidence),
                )
            )

    def excluded_handles(self, path: FieldPath, huggingface: list[str], github: list[str]) -> None:
        for platform, key, label in EXCLUDED_PLATFORM_FIELDS:
            for index, handle in enumerate(huggingface if platform == "hf" else github):
                where = (*path, key, index)
                if not HANDLE_RE.match(handle):
                    self.report(where, _malformed(label, handle))
                    continue
                claim = self.handle_owner.get((platform, handle.casefold()))
                if claim is not None:
                    self.report(
                        where,
                        f"{label} handle {handle!r} is on the exclusion list but organisation "
                        f"{claim[0]!r} claims it (line {self.line(claim[1])})",
                    )

    def products(self) -> None:
        seen: dict[str, FieldPath] = {}
        exact: dict[str, tuple[str, FieldPath]] = {}
        wildcard: list[tuple[IncludePattern, str, FieldPath]] = []
        exact_entries: list[tuple[IncludePattern, str, FieldPath]] = []
        # a separate product claims nothing, and an excluded artifact is not claimed: no conflict
        excludes: dict[str, list[IncludePattern]] = {}
        separate: set[str] = set()
        for item in self.entries.products:
            path, entry = item.path, item.entry
            product_id = entry.id if item.has("id") else f"#{path[-1]}"
            valid = item.has("id") and self.check_id(path, entry.id, seen, "product")
            organization = (
                self.product_organization(path, entry.organization)
                if item.has("organization")
                else None
            )
            if organization is not None and organization.id in self.partial_organizations:
                organization = None  # its handles may be the broken part: no echo of that
            patterns_ok = True
            own: set[str] = set()
            if item.has("separate") and entry.separate:
                separate.add(product_id)
            for index, text in enumerate(entry.include if item.has("include") else []):
                where = (*path, "include", index)
                try:
                    pattern = IncludePattern.parse(text)
                except InvalidPattern as exc:
                    self.report(where, str(exc))
                    patterns_ok = False
                    continue
                if text.casefold() in own:
                    self.report(where, f"{text!r} is listed twice in this product")
                    continue
                own.add(text.casefold())
                if organization is not None and not self.owner_belongs(
                    where, pattern, organization
                ):
                    patterns_ok = False
                if pattern.is_exact and product_id not in separate:
                    previous = exact.get(text.casefold())
                    if previous is not None:
                        self.report(
                            where,
                            f"{text} is also included by product {previous[0]!r} "
                            f"(line {self.line(previous[1])}); an artifact belongs to one product",
                        )
                        continue
                    exact[text.casefold()] = (product_id, where)
                    exact_entries.append((pattern, product_id, where))
                elif product_id not in separate:
                    wildcard.append((pattern, product_id, where))
            for index, text in enumerate(entry.exclude if item.has("exclude") else []):
                where = (*path, "exclude", index)
                try:
                    pattern = IncludePattern.parse(text)
                except InvalidPattern as exc:
                    self.report(where, str(exc))
                    patterns_ok = False
                    continue
                excludes.setdefault(product_id, []).append(pattern)
                if organization is not None and not self.owner_belongs(
                    where, pattern, organization
                ):
                    patterns_ok = False
            if valid and organization is not None and patterns_ok and not item.partial:
                self.out.products[entry.id] = Product(
                    id=entry.id,
                    name=entry.name,
                    category=entry.category,
                    organization=entry.organization,
                    include=tuple(entry.include),
                    description=entry.description,
                )
                self.out.product_options[entry.id] = (list(entry.exclude), entry.separate)
        by_owner: dict[tuple[str, str, str], list[tuple[IncludePattern, str, FieldPath]]] = {}
        for entry_pattern in wildcard:
            by_owner.setdefault(entry_pattern[0].owner_key, []).append(entry_pattern)
        for pattern, product_id, where in exact_entries:
            artifact = pattern.artifact
            assert artifact is not None  # exact patterns name one artifact
            for other, other_id, other_where in by_owner.get(pattern.owner_key, []):
                if (
                    other_id != product_id
                    and other.matches(artifact)
                    and not any(e.matches(artifact) for e in excludes.get(other_id, []))
                    and not any(e.matches(artifact) for e in excludes.get(product_id, []))
                ):
                    self.report(
                        where,
                        f"{pattern.text} is also matched by {other.text!r} of product "
                        f"{other_id!r} (line {self.line(other_where)}); an artifact belongs to "
                        "one product",
                    )

    def product_organization(self, path: FieldPath, organization_id: str) -> Organization | None:
        organization = self.out.organizations.get(organization_id)
        if organization is not None:
            return organization
        known_broken = organization_id in self.entries.broken_ids.get("organizations", set())
        if not known_broken and "organizations" not in self.entries.unread_sections:
            self.report((*path, "organization"), f"unknown organisation {organization_id!r}")
        return None

    def owner_belongs(
        self, where: FieldPath, pattern: IncludePattern, organization: Organization
    ) -> bool:
        handles = organization_handles(organization, pattern.platform)
        if pattern.owner.casefold() in {handle.casefold() for handle in handles}:
            return True
        label = next(label for p, _, label in PLATFORM_FIELDS if p == pattern.platform)
        listed = ", ".join(handles) or "none"
        self.report(
            where,
            f"owner {pattern.owner!r} of {pattern.text!r} is not a {label} handle of organisation "
            f"{organization.id!r} (its {label} handles: {listed})",
        )
        return False


def organization_handles(organization: Organization, platform: Platform) -> tuple[str, ...]:
    """An organisation's handles on one platform."""
    return {
        "hf": organization.huggingface,
        "gh": organization.github,
        "ms": organization.modelscope,
        "od": organization.opendatalab,
    }[platform]


def _malformed(label: str, handle: str) -> str:
    """The problem with a handle, quoting at most 60 characters of it."""
    if len(handle) > HANDLE_MAX:
        return (
            f"{label} handle {handle[:60]!r}… is {len(handle):,} characters long; no platform "
            f"allows more than {HANDLE_MAX}"
        )
    if handle != handle.strip():
        return f"{label} handle {handle!r} has spaces or a line break around it"
    return f"malformed {label} handle {handle!r}"


def check_rules(entries: Entries, document: YamlDocument, file: str) -> Checked:
    rules = _Rules(entries, document, file)
    rules.organizations()
    rules.excluded()
    rules.products()
    return rules.out
