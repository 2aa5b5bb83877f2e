"""Licence → openness: is a release open source, open with restrictions, non-commercial or unknown?

The award is for open-source products, so the committee's first question of every row is whether
it is eligible. Platforms write licences three ways: SPDX-like tags (`license:apache-2.0` on the
Hub, `spdx_id` on GitHub), the Hub's `other` with a `license_name`/`license_link` of the model
card, and free text (ModelScope: "Apache License 2.0", "CC BY-NC-SA 4.0", "其他"). This module reads
all three into one `LicenceClass`; it decides nothing about eligibility, it only classifies.

Classes, most permissive first:
- `open`: OSI-approved code licences and open data licences (Apache-2.0, MIT, BSD-*, MPL-2.0,
  GPL/LGPL/AGPL, CC-BY-*, CC-BY-SA-*, CC0, ODC-BY, ODbL, PDDL, CDLA…);
- `open-restricted`: open weights under use restrictions (Llama, Gemma, Qwen, DeepSeek, OpenRAIL*,
  no-derivatives CC licences, `other` with a licence of its own);
- `non-commercial`: CC-BY-NC*, research-only licences, `other` whose name says so;
- `unknown`: no licence, `unknown`, GitHub's NOASSERTION, or text we cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Openness = Literal["open", "open-restricted", "non-commercial", "unknown"]
OPENNESS_CLASSES: tuple[Openness, ...] = ("open", "open-restricted", "non-commercial", "unknown")

# How restrictive a class is when a product mixes them: an unknown licence may turn out to be
# anything, so it weighs above open-restricted; a known non-commercial one is the most restrictive.
_RESTRICTIVENESS: dict[Openness, int] = {
    "open": 0,
    "open-restricted": 1,
    "unknown": 2,
    "non-commercial": 3,
}

# Canonical SPDX spelling of the open licences, keyed by their normalised form.
_OPEN_SPDX = {
    spdx.lower(): spdx
    for spdx in (
        "Apache-2.0",
        "Apache-1.1",
        "MIT",
        "MIT-0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "0BSD",
        "ISC",
        "MPL-2.0",
        "GPL-2.0",
        "GPL-3.0",
        "LGPL-2.1",
        "LGPL-3.0",
        "AGPL-3.0",
        "EPL-1.0",
        "EPL-2.0",
        "ECL-2.0",
        "EUPL-1.1",
        "EUPL-1.2",
        "AFL-3.0",
        "OSL-3.0",
        "Artistic-2.0",
        "BSL-1.0",
        "Zlib",
        "Unlicense",
        "WTFPL",
        "PostgreSQL",
        "NCSA",
        "MS-PL",
        "OFL-1.1",
        "LPPL-1.3c",
        "GFDL-1.3",
        "CC0-1.0",
        "CC-BY-2.0",
        "CC-BY-2.5",
        "CC-BY-3.0",
        "CC-BY-4.0",
        "CC-BY-SA-3.0",
        "CC-BY-SA-4.0",
        "ODC-By-1.0",
        "ODbL-1.0",
        "PDDL-1.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
    )
}
# The Hub's tags that name an open licence without its version.
_OPEN_ALIASES = {
    "apache": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "bsd": "BSD-3-Clause",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "gpl": "GPL-3.0",
    "gpl-3": "GPL-3.0",
    "gpl-2": "GPL-2.0",
    "gpl-3.0-only": "GPL-3.0",
    "gpl-3.0-or-later": "GPL-3.0",
    "gpl-2.0-only": "GPL-2.0",
    "gpl-2.0-or-later": "GPL-2.0",
    "lgpl": "LGPL-3.0",
    "lgpl-3.0-only": "LGPL-3.0",
    "lgpl-2.1-only": "LGPL-2.1",
    "agpl": "AGPL-3.0",
    "agpl-3.0-only": "AGPL-3.0",
    "agpl-3.0-or-later": "AGPL-3.0",
    "cc0": "CC0-1.0",
    "cc-by": "CC-BY-4.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "pddl": "PDDL-1.0",
    "gfdl": "GFDL-1.3",
    "cdla-permissive": "CDLA-Permissive-2.0",
    "cdla-sharing": "CDLA-Sharing-1.0",
}
_UNKNOWN = frozenset({"", "unknown", "noassertion", "none", "null", "n/a", "unlicensed", "未知"})
_OTHER = frozenset({"other", "others", "其他", "其它", "custom", "proprietary-open"})

# Words that make a licence non-commercial or research-only, in names and free text.
_NON_COMMERCIAL = re.compile(
    r"(?:\bnc\b|-nc-|-nc$|non-?commercial|research|academic[- ](?:use|only|research)|"
    r"非商业|非商用|仅限研究|学术研究|c-uda|apple-amlr|apple-ascl)"
)
# Open-weight licences with use restrictions, by the names and tags platforms give them.
_RESTRICTED = re.compile(
    r"(?:llama|gemma|qwen|tongyi|deepseek|openrail|bloom-rail|\brail\b|-rail-|falcon|baichuan|"
    r"^yi$|internlm|intern-s1|glm|minimax|stepfun|"
    r"deepfloyd|stability|sensenova|community[- ]license|model[- ]license|-nd-|-nd$|\bnd\b)"
)


# Licence names as free text writes them (ModelScope, licence files) → their short forms.
_SPELLED_OUT = (
    (r"creative\s+commons", "cc"),
    (r"gnu\s+affero\s+general\s+public", "agpl"),
    (r"gnu\s+lesser\s+general\s+public", "lgpl"),
    (r"gnu\s+general\s+public", "gpl"),
    (r"mozilla\s+public", "mpl"),
    (r"academic\s+free", "afl"),
    (r"open\s+data\s+commons\s+attribution", "odc-by"),
)


@dataclass(frozen=True, slots=True)
class LicenceClass:
    """One artifact's licence as the committee reads it."""

    licence: str | None  # SPDX id where one fits, else the platform's own text
    openness: Openness
    reason: str  # why this class, in one short phrase


def _normalised(text: str) -> str:
    """`Apache License, Version 2.0` → `apache-2.0`; `CC BY-NC-SA 4.0` → `cc-by-nc-sa-4.0`."""
    value = text.strip().lower().removeprefix("license:").strip()
    value = re.sub(
        r"\b(?:the|licen[cs]e[sd]?|version|agreement|international|unported)\b", " ", value
    )
    value = re.sub(r"\bv(?=\d)", "", value)
    for spelled, short in _SPELLED_OUT:
        value = re.sub(spelled, short, value)
    value = re.sub(r"attribution", "by", value)
    value = re.sub(r"share-?alike", "sa", value)
    value = re.sub(r"non-?commercial", "nc", value)
    value = re.sub(r"[\s,_/()]+", "-", value)
    value = re.sub(r"-+", "-", value).strip("-")
    return value


def _open_spdx(key: str) -> str | None:
    if key in _OPEN_SPDX:
        return _OPEN_SPDX[key]
    if key in _OPEN_ALIASES:
        return _OPEN_ALIASES[key]
    # `apache-2` → Apache-2.0, `mit-license` (after normalising) → MIT
    trimmed = re.sub(r"\.0$", "", key)
    for candidate, spdx in _OPEN_SPDX.items():
        if re.sub(r"\.0$", "", candidate) == trimmed:
            return spdx
    return None


def _named(text: str, key: str) -> LicenceClass | None:
    """A class read from a licence's name or tag, or None when the name says nothing we know."""
    if _NON_COMMERCIAL.search(key) or _NON_COMMERCIAL.search(text.lower()):
        return LicenceClass(text, "non-commercial", "non-commercial or research-only terms")
    spdx = _open_spdx(key)
    if spdx is not None:
        return LicenceClass(spdx, "open", "open-source licence")
    if _RESTRICTED.search(key):
        return LicenceClass(text, "open-restricted", "open weights under use restrictions")
    return None


@lru_cache(maxsize=4096)  # a catalogue repeats a few dozen licences over thousands of artifacts
def classify_licence(
    licence: str | None, *, name: str | None = None, link: str | None = None
) -> LicenceClass:
    """The class of one artifact's licence.

    `licence` is the platform's licence field or tag; `name` and `link` are the Hub's
    `license_name` / `license_link` that go with `other`.
    """
    text = (licence or "").strip()
    key = _normalised(text)
    if key in _OTHER or (not key and (name or link)):
        named = (name or "").strip()
        if named:
            found = _named(named, _normalised(named))
            if found is not None:
                return found
            return LicenceClass(named, "open-restricted", "a licence of its own (`other`)")
        if link:
            return LicenceClass(
                text or "other", "open-restricted", "a licence file of its own (`other`)"
            )
        return LicenceClass(text or None, "unknown", "`other` without a licence name or file")
    if key in _UNKNOWN:
        return LicenceClass(text or None, "unknown", "no licence stated")
    found = _named(text, key)
    if found is not None:
        return found
    return LicenceClass(text, "unknown", "licence not recognised")


@dataclass(frozen=True, slots=True)
class ProductLicence:
    """A product's licence as one line: its members' licences and the most restrictive class."""

    licence: str | None  # the members' licences, distinct, in member order ("Apache-2.0; llama3.1")
    openness: Openness
    mixed: bool  # members fall in more than one class


def product_licence(classes: Sequence[LicenceClass], missing: str | None = None) -> ProductLicence:
    """The summary of a product's members' licences; a member without one is shown as `missing`
    (None: left out of the line)."""
    texts = [text for text in dict.fromkeys(c.licence or missing for c in classes) if text]
    return ProductLicence(
        "; ".join(texts) or None,
        most_restrictive(c.openness for c in classes),
        len({c.openness for c in classes}) > 1,
    )


def most_restrictive(classes: Iterable[Openness]) -> Openness:
    """A product's class: that of its most restrictive member (unknown when it has none)."""
    found = list(classes)
    if not found:
        return "unknown"
    return max(found, key=_RESTRICTIVENESS.__getitem__)
