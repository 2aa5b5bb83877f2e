"""Licence → openness on licence strings as the platforms write them.

Hub values are the `license:` tags and `cardData.license` of real model and dataset cards (with
`license_name`/`license_link` beside `other`); GitHub values are `license.spdx_id`; ModelScope
values are its free-text licence field.
"""

from __future__ import annotations

import pytest

from scoring.openness import OPENNESS_CLASSES, classify_licence, most_restrictive


@pytest.mark.parametrize(
    ("licence", "spdx"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("license:apache-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("MIT", "MIT"),
        ("bsd-3-clause", "BSD-3-Clause"),
        ("gpl-3.0", "GPL-3.0"),
        ("agpl-3.0", "AGPL-3.0"),
        ("lgpl-2.1", "LGPL-2.1"),
        ("mpl-2.0", "MPL-2.0"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("cc0-1.0", "CC0-1.0"),
        ("odc-by", "ODC-By-1.0"),
        ("odbl", "ODbL-1.0"),
        ("pddl", "PDDL-1.0"),
        ("cdla-permissive-2.0", "CDLA-Permissive-2.0"),
        ("unlicense", "Unlicense"),
        # ModelScope's free text
        ("Apache License 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("CC BY 4.0", "CC-BY-4.0"),
        ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"),
        ("Academic Free License v3.0", "AFL-3.0"),
        ("GNU General Public License v3.0", "GPL-3.0"),
        ("Mozilla Public License 2.0", "MPL-2.0"),
        # GitHub's spdx_id
        ("Apache-2.0", "Apache-2.0"),
        ("BSD-2-Clause", "BSD-2-Clause"),
    ],
)
def test_open_licences_get_their_spdx_id(licence: str, spdx: str) -> None:
    found = classify_licence(licence)
    assert (found.openness, found.licence) == ("open", spdx)


@pytest.mark.parametrize(
    "licence",
    [
        "llama3.1",
        "llama2",
        "llama3.3",
        "gemma",
        "openrail",
        "openrail++",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "cc-by-nd-4.0",
        "Llama 3 Community License Agreement",
        "deepfloyd-if-license",
    ],
)
def test_open_weights_with_use_restrictions(licence: str) -> None:
    found = classify_licence(licence)
    assert found.openness == "open-restricted"
    assert found.licence == licence  # no SPDX id fits: the platform's own text


@pytest.mark.parametrize(
    "licence",
    [
        "cc-by-nc-4.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nc-nd-4.0",
        "CC BY-NC-SA 4.0",
        "Creative Commons Attribution Non Commercial 4.0",
        "apple-amlr",
        "c-uda",
        "仅限研究使用",
    ],
)
def test_non_commercial_licences(licence: str) -> None:
    assert classify_licence(licence).openness == "non-commercial"


@pytest.mark.parametrize(
    ("name", "link", "openness"),
    [
        ("tongyi-qianwen", None, "open-restricted"),
        ("qwen", "https://huggingface.co/Qwen/Qwen-7B/blob/main/LICENSE", "open-restricted"),
        ("deepseek", None, "open-restricted"),
        ("deepseek-license", "LICENSE", "open-restricted"),
        ("qwen-research", None, "non-commercial"),
        ("inf-license", "LICENSE", "open-restricted"),  # a licence of its own, with its file
        ("apache-2.0", None, "open"),  # `other` whose name is an open licence
        (None, "https://github.com/OpenGVLab/InternVL/blob/main/LICENSE", "open-restricted"),
        (None, None, "unknown"),
    ],
)
def test_other_reads_the_licence_name_and_link(
    name: str | None, link: str | None, openness: str
) -> None:
    assert classify_licence("other", name=name, link=link).openness == openness


@pytest.mark.parametrize("licence", [None, "", "unknown", "NOASSERTION", "其他", "my own terms"])
def test_missing_or_unreadable_licences_are_unknown(licence: str | None) -> None:
    found = classify_licence(licence)
    assert found.openness == "unknown"
    assert found.reason


def test_a_product_is_as_open_as_its_most_restrictive_member() -> None:
    assert most_restrictive(["open", "open"]) == "open"
    assert most_restrictive(["open", "open-restricted"]) == "open-restricted"
    assert most_restrictive(["open-restricted", "unknown", "open"]) == "unknown"
    assert most_restrictive(["unknown", "non-commercial", "open"]) == "non-commercial"
    assert most_restrictive([]) == "unknown"
    assert set(OPENNESS_CLASSES) == {"open", "open-restricted", "non-commercial", "unknown"}
