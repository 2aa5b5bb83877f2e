"""ModelScope and OpenDataLab payload samples: SHAPES, not recordings.

No public test suite holds recorded ModelScope or OpenDataLab answers. Each sample below is built
from the field names the official SDKs read, and its comment names them (the sources are listed in
docs/mainland-hubs.md). Values are invented; how sure each shape is, is said beside it. When a real
answer is recorded, put it beside these and let the tests read both.
"""

from __future__ import annotations

from typing import Any

# Origin: modelscope_hub 26921de3 `_openapi.py:330-346` (envelope, list key, total_count,
# page_number, page_size) and `types.py:66-86` (item fields). Envelope: high; item: medium.
OPENAPI_MODEL_PAGE: dict[str, Any] = {
    "success": True,
    "data": {
        "models": [
            {
                "id": "Shanghai_AI_Laboratory/internlm2_5-7b-chat",
                "display_name": "internlm2_5-7b-chat",
                "description": "InternLM2.5 7B chat",
                "downloads": 1283411,
                "likes": 212,
                "created_at": "2024-07-03T08:12:45Z",
                "last_modified": "2025-01-15T02:00:00Z",
                "license": "Apache License 2.0",
                "tags": ["internlm", "chat"],
                "tasks": ["text-generation"],
                "file_size": 15475000000,
                "private": False,
                "gated": False,
                "login_required": False,
            },
            {
                # the SDK accepts unix seconds, and milliseconds above 1e12 (`types.py:21-36`)
                "id": "Shanghai_AI_Laboratory/internlm2_5-1_8b",
                "downloads": 40211,
                "likes": 9,
                "created_at": 1720000000,
                "last_modified": 1736906400000,
                "license": "",
                "tags": [],
                "tasks": [],
            },
        ],
        "total_count": 2,
        "page_number": 1,
        "page_size": 50,
    },
}

# Origin: the same envelope with "datasets" for "models" (`_openapi.py:395-420`). Medium.
OPENAPI_DATASET_PAGE: dict[str, Any] = {
    "success": True,
    "data": {
        "datasets": [
            {
                "id": "OpenDataLab/OmniDocBench",
                "downloads": 5120,
                "likes": 33,
                "created_at": "2024-12-10T00:00:00Z",
                "last_modified": "2025-03-01T00:00:00Z",
                "license": "Apache License 2.0",
                "tags": ["document"],
            }
        ],
        "total_count": 1,
        "page_number": 1,
        "page_size": 50,
    },
}

# Origin: modelscope-hub 0.5.1 `errors.py:515-532` (codes); HTTP status matches. High.
OPENAPI_NOT_FOUND: dict[str, Any] = {
    "success": False,
    "code": "ResourceNotFound",
    "message": "model not found",
    "request_id": "3f6c1a2b9d",
}

# Origin: the official MCP server treats `success: false` under HTTP 200 as an error
# (modelscope-mcp-server 87f4f872 `client.py:162-190`). The body shape is the error envelope.
OPENAPI_FALSE_UNDER_200: dict[str, Any] = {
    "success": False,
    "code": "InternalServerError",
    "message": "service busy",
}

# Origin: modelscope 1804ac6b `modelscope/hub/info.py:193-224` (legacy model fields) and
# `api.py:1068-1107` (PUT /api/v1/models/ → Data.Models, Data.TotalCount). High.
LEGACY_MODEL_PAGE: dict[str, Any] = {
    "Code": 200,
    "Success": True,
    "Message": "success",
    "RequestId": "0c1e7c3e-8c8f-4a37-9d55-2c9f6b3a1e11",
    "Data": {
        "Models": [
            {
                "Id": 40211,
                "Name": "internlm2_5-7b-chat",
                "Path": "Shanghai_AI_Laboratory",
                "ChineseName": "书生·浦语2.5-7B-对话",
                "Visibility": 5,
                "License": "Apache License 2.0",
                "Downloads": 1283411,
                "Stars": 212,
                "CreatedTime": 1720000000,
                "LastUpdatedTime": "2025-01-15T10:00:00+08:00",
                "Tasks": [{"Name": "text-generation"}],
                "Tags": ["internlm"],
                "Organization": {"Id": 7, "Name": "Shanghai_AI_Laboratory"},
            }
        ],
        "TotalCount": 1,
    },
}

# Origin: modelscope 1804ac6b `info.py:296-314` (legacy dataset: Owner/Namespace, Likes, GmtCreate,
# Tags as objects) and modelscope_hub `_legacy_api.py:258-293` (list beside TotalCount). High.
LEGACY_DATASET_PAGE: dict[str, Any] = {
    "Code": 200,
    "Success": True,
    "Message": "success",
    "RequestId": "9a7e",
    "Data": [
        {
            "Id": 9001,
            "Name": "OmniDocBench",
            "Namespace": "OpenDataLab",
            "ChineseName": "",
            "Visibility": 5,
            "License": "Apache License 2.0",
            "Downloads": 5120,
            "Likes": 33,
            "GmtCreate": 1733788800,
            "LastUpdatedTime": 1740787200,
            "Tags": [{"Name": "document", "Color": "blue"}],
        }
    ],
    "TotalCount": 1,
    "PageNumber": 1,
    "PageSize": 50,
}

# Origin: a real legacy error quoted in modelscope/modelscope#535 (it came with an HTTP 404):
# `Code` is a numeric business code, the message Chinese. High.
LEGACY_ERROR: dict[str, Any] = {
    "Code": 10010200001,
    "Message": "获取模型版本失败，模型不存在",
    "RequestId": "5d1f0a2e-7b7c-4a0e-8f3e-0b6f7e6b2c11",
    "Success": False,
}

# Origin: openxlab 0.1.3 `dataset/client/api.py:153-170` and
# `handler/info_dataset_repository.py:136-170` (data.id, name, introduction.en, attrs lists).
# The counts are NOT from the SDK: `viewCount` is proven only in search results (opendatalab
# 0.0.10 `cli/search.py:73-83`); `downloadCount`/`*Week` are the website's sort keys.
OPENDATALAB_INFO: dict[str, Any] = {
    "msgCode": "10000",
    "msg": "success",
    "data": {
        "id": 4521,
        "name": "OpenDataLab/OmniDocBench",
        "introduction": {"en": "A benchmark for document parsing"},
        "downloadCount": 10321,
        "viewCount": 88210,
        "downloadCountWeek": 210,
        "viewCountWeek": 1980,
        "attrs": {
            "publisher": [{"name": {"en": "OpenDataLab"}}],
            "mediaTypes": [{"name": {"en": "Image"}}],
            "labelTypes": [],
            "taskTypes": [{"name": {"en": "Document Parsing"}}],
            "license": [{"name": {"en": "Apache-2.0"}}],
        },
    },
}

# Origin: the SDK reads `data.id == 0` as "not found" (`info_dataset_repository.py:136-170`),
# apparently under an HTTP 200.
OPENDATALAB_NOT_FOUND: dict[str, Any] = {"msgCode": "10000", "data": {"id": 0, "name": ""}}

# Origin: invented to hold the parser to its tolerance: the counts under other plausible names,
# inside `attrs`, as text.
OPENDATALAB_OTHER_FIELDS: dict[str, Any] = {
    "data": {
        "id": 77,
        "name": "OpenMMLab/COCO",
        "attrs": {"download_count": "1200", "viewNum": 99000, "license": "CC-BY-4.0"},
    }
}
