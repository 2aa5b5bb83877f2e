"""OpenDataLab (OpenXLab dataset API) payloads → typed records. Pure: no I/O, no clock.

`GET /datasets/{owner},{name}` answers `{"data": {"id": int, "name": str, ...}}`; `data.id == 0`
under a 200 means "no such dataset". The SDKs prove only `viewCount` among the counts; the
download and weekly field names come from the website's sort keys and are unconfirmed, so every
count is looked for under several names (in `data`, then in `data.attrs`) and the name it was
found under is kept with the figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from collectors.core.errors import Malformed, NotFound

# figure → the field names tried, most likely first
COUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "downloads": ("downloadCount", "download_count", "downloads", "downloadNum"),
    "views": ("viewCount", "view_count", "views", "viewNum"),
    "downloads_7d": ("downloadCountWeek", "download_count_week"),
    "views_7d": ("viewCountWeek", "view_count_week"),
}


class MalformedPayload(Malformed):
    """A body without the `data` object the dataset API answers with."""


class DatasetNotFound(NotFound):
    """`data.id == 0`: the API's way of saying the dataset does not exist."""


@dataclass(frozen=True)
class OpenDataLabDataset:
    id: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)  # figure → value
    fields: dict[str, str] = field(default_factory=dict)  # figure → the field it was read from
    license: str | None = None
    description: str | None = None
    publisher: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


def _english(value: object) -> str | None:
    """`{"en": "..."}` (or a bare string) → the text; other shapes → None."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping):
        text = value.get("en") or value.get("zh")
        return text if isinstance(text, str) and text else None
    return None


def _names(value: object) -> tuple[str, ...]:
    """`[{"name": {"en": ...}}, ...]` (attrs lists) → the names."""
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for entry in value:
        text = _english(entry.get("name")) if isinstance(entry, Mapping) else _english(entry)
        if text:
            out.append(text)
    return tuple(out)


def _find_count(
    places: tuple[Mapping[str, Any], ...], names: tuple[str, ...]
) -> tuple[int, str] | None:
    for place in places:
        for name in names:
            value = place.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise MalformedPayload(f"{name} is {value!r}, not a number")
            try:
                number = int(float(value))
            except ValueError:
                raise MalformedPayload(f"{name} is {value!r}, not a number") from None
            if number < 0:
                raise MalformedPayload(f"{name} is negative ({number})")
            return number, name
    return None


def parse_dataset_info(payload: object) -> OpenDataLabDataset:
    """The info answer of one dataset; DatasetNotFound for `data.id == 0`."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), Mapping):
        raise MalformedPayload("the answer has no 'data' object")
    data: Mapping[str, Any] = payload["data"]
    raw_id = data.get("id")
    if not isinstance(raw_id, int) or isinstance(raw_id, bool):
        raise MalformedPayload(f"data.id is {raw_id!r}, not an integer")
    if raw_id == 0:
        raise DatasetNotFound("OpenDataLab answered data.id 0 (no such dataset)")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise MalformedPayload("data.name is missing")
    attrs = data.get("attrs") if isinstance(data.get("attrs"), Mapping) else {}
    assert isinstance(attrs, Mapping)
    places: tuple[Mapping[str, Any], ...] = (data, attrs)
    counts: dict[str, int] = {}
    fields: dict[str, str] = {}
    for figure, names in COUNT_FIELDS.items():
        found = _find_count(places, names)
        if found is not None:
            counts[figure], fields[figure] = found
    licenses = _names(attrs.get("license")) or (
        (attrs["license"],) if isinstance(attrs.get("license"), str) else ()
    )
    return OpenDataLabDataset(
        id=raw_id,
        name=name,
        counts=counts,
        fields=fields,
        license=", ".join(licenses) or None,
        description=_english(data.get("introduction")),
        publisher=_names(attrs.get("publisher")),
        tasks=_names(attrs.get("taskTypes")),
    )
