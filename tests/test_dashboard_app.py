"""AppTest runs of every dashboard page against a fixture store (no browser)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.frames.picking import matching_products
from dashboard.frames.scores import category_contributions
from dashboard.frames.snapshot import load_snapshot, members_by_product
from dashboard.frames.what_if import decode_weights, default_weights, encode_weights
from ossimpact.store import open_store
from tests.fixtures.dashboard_store import (
    FLAGGED_PRODUCT,
    HOSTILE_DESCRIPTION,
    PRODUCTS,
    dashboard_store_url,
)

__all__ = ["dashboard_store_url"]

PAGES = (
    "sections/overview.py",
    "sections/leaderboard.py",
    "sections/product.py",
    "sections/compare.py",
    "sections/what_if.py",
    "sections/shortlist.py",
    "sections/methodology.py",
    "sections/data_health.py",
)


@pytest.fixture
def app_env(dashboard_store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", dashboard_store_url)
    monkeypatch.delenv("OSSIMPACT_SYNTHETIC", raising=False)
    monkeypatch.delenv("OSSIMPACT_DASHBOARD_PASSWORD", raising=False)
    return dashboard_store_url


def _app() -> AppTest:
    return AppTest.from_file("../dashboard/app.py", default_timeout=30)


def _texts(at: AppTest) -> str:
    parts = (
        [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    )
    parts += (
        [e.value for e in at.markdown] + [e.value for e in at.text] + [e.value for e in at.caption]
    )
    parts += [e.value for e in at.warning] + [e.value for e in at.info]
    return "\n".join(str(p) for p in parts)


def _board_ids(at: AppTest) -> list[str]:
    """The leaderboard's products, top to bottom (the browser gets names, not ids)."""
    ids = {name: pid for pid, name, *_ in PRODUCTS}
    return [ids[name] for name in at.dataframe[0].value["name"]]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception_in_chinese(app_env: str, page: str) -> None:
    at = _app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert "演示数据" in _texts(at), _texts(at)  # the synthetic banner on every page


def test_overview_shows_top10_and_data_as_of(app_env: str) -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert at.metric[0].label == "数据截至"
    tops = [df.value for df in at.dataframe]
    assert len(tops) == 3
    assert tops[0]["name"].iloc[0] == "InternLM3"


def test_language_switch_to_english(app_env: str) -> None:
    at = _app().run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "Demo data" in _texts(at)


def test_leaderboard_filters_change_the_table(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    table = at.dataframe[0].value
    assert len(table) == 6
    assert "product_id" not in table.columns  # only what the table shows is sent
    at.radio(key="lb_flagged").set_value("flagged").run()
    assert _board_ids(at) == [FLAGGED_PRODUCT]
    at.radio(key="lb_flagged").set_value("all").run()
    at.text_input(key="lb_search").input("moss").run()
    assert set(_board_ids(at)) == {"moss", "moss-tiny"}
    at.text_input(key="lb_search").input("").run()
    at.multiselect(key="lb_org").set_value(["稀宇科技"]).run()
    assert set(_board_ids(at)) == {"minimax-m1", "minimax-text"}
    assert not at.exception


def test_leaderboard_rank_interval_and_flag_icon(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    table = at.dataframe[0].value.set_axis(_board_ids(at))
    assert table.loc["internlm3", "rank_text"] == "1 (1–3)"
    assert table.loc[FLAGGED_PRODUCT, "flags"] == "📈"


def test_leaderboard_category_switch(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    at.selectbox(key="category").set_value("community").run()
    assert set(_board_ids(at)) == {"lmdeploy", "openmoss", "minimax-mcp"}


def test_selecting_a_leaderboard_row_opens_the_product(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    at.session_state["leaderboard_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.header[0].value == "MiniMax\\-M1"
    assert at.selectbox(key="product").value == FLAGGED_PRODUCT


def test_product_page_shows_evidence_and_keeps_platform_text_inert(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/product.py")
    at.session_state["product"] = "minimax-text"
    at.run()
    assert not at.exception
    assert at.selectbox(key="product").value == "minimax-text"
    # The score breakdown first, as a table with its bars; its chart only when asked for.
    [breakdown] = [df.value for df in at.dataframe if "contribution" in df.value]
    assert len(breakdown) > 0
    assert not (at.get("arrow_vega_lite_chart"))
    assert not (at.get("vega_lite_chart"))
    at.toggle(key="product_chart").set_value(True).run()
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "the breakdown chart"
    # Only the open tab's content is built: the artifacts table waits for its tab.
    assert all("description" not in df.value for df in at.dataframe)
    at.session_state["product_tab_zh"] = "制品与最新数据"
    at.run()
    assert not at.exception
    # The hostile description is shown as a table cell, never as markdown or HTML.
    cells = [df.value["description"].tolist() for df in at.dataframe if "description" in df.value]
    assert any(HOSTILE_DESCRIPTION in column for column in cells)
    assert all(HOSTILE_DESCRIPTION not in m.value for m in at.markdown)
    # The members table: the members export's rows for this product, in the export's words.
    from ossimpact.export import MEMBER_COLUMNS, members_rows

    [shown] = [df.value for df in at.dataframe if "grouped_by" in df.value]
    assert tuple(shown.columns) == MEMBER_COLUMNS
    store = open_store(app_env)
    try:
        exported = members_rows(store, product_ids=["minimax-text"])
    finally:
        store.close()
    assert not exported.empty
    assert shown["artifact_id"].tolist() == exported["artifact_id"].tolist()
    assert shown["grouped_by"].tolist() == exported["grouped_by"].tolist()
    at.session_state["product_tab_zh"] = "历史趋势"
    at.run()
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "the history chart"


def test_product_page_flags_and_add_to_shortlist(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/product.py")
    at.session_state["product"] = FLAGGED_PRODUCT
    at.run()
    # Flags are named above the tabs, whichever tab is open.
    assert any("下载突增" in w.value for w in at.warning)
    at.session_state["product_tab_zh"] = "诚信与资格标记"
    at.run()
    flags = [df.value for df in at.dataframe if "evidence" in df.value.columns]
    assert flags
    assert "12×" in flags[0]["evidence"].iloc[0]
    at.button(key="add_to_shortlist").click().run()
    assert FLAGGED_PRODUCT in at.session_state["shortlist_items"]


def test_compare_needs_two_and_then_shows_charts(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/compare.py").run()
    assert at.info
    at.multiselect(key="compare_pick").set_value(["internlm3", "moss"]).run()
    assert not at.exception
    assert at.query_params["products"] == "internlm3,moss"
    assert len(at.dataframe[0].value.columns) == 2
    # Searching lists matches beside the products already picked, never all products.
    at.text_input(key="compare_pick_search").input("minimax").run()
    options = at.multiselect(key="compare_pick").options
    assert options[:2] == ["InternLM3 · shlab", "MOSS · fudan"]
    assert len(options) > 2
    assert all("minimax" in option.casefold() for option in options[2:])
    assert at.multiselect(key="compare_pick").value == ["internlm3", "moss"]


def test_what_if_changes_ranks_without_writing(app_env: str) -> None:
    store = open_store(app_env, read_only=True)
    before = (store.data_version(), [r.rank for r in store.scores()])
    at = _app().run()
    at.switch_page("sections/what_if.py").run()
    table = at.dataframe[0].value
    assert (table["change"] == 0).all() if "change" in table else True
    assert list(table["what_if_rank"]) == list(table["rank"])
    snap = load_snapshot(store)
    weights = default_weights(category_contributions(store, snap, "model"))
    for signal in weights:
        at.slider(key=f"weight_model_{signal}").set_value(0.0)
    at.slider(key="weight_model_spaces").set_value(1.0).run()
    assert not at.exception
    moved = at.dataframe[0].value
    assert (moved["what_if_rank"] != moved["rank"]).any()
    assert "spaces:1" in at.query_params["weights"]
    assert (store.data_version(), [r.rank for r in store.scores()]) == before
    store.close()


def test_what_if_link_round_trips_and_rejects_bad_weights() -> None:
    defaults = {"likes": 0.1, "spaces": 0.07}
    link = encode_weights({"likes": 0.0, "spaces": 1.0})
    assert link == "likes:0,spaces:1"
    assert decode_weights(link, defaults) == {"likes": 0.0, "spaces": 1.0}
    # Unknown signals, non-numbers and out-of-range weights fall back to the methodology's.
    assert decode_weights("bogus:1,likes:x,spaces:7", defaults) == defaults


def test_shortlist_saves_with_who_and_when(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/shortlist.py").run()
    at.multiselect(key="shortlist_pick").set_value(["internlm3", "lmdeploy"]).run()
    at.text_area(key="note_internlm3").input("=1+1 strong downloads").run()
    at.text_input(key="shortlist_name").input("round-1")
    at.text_input(key="shortlist_who").input("张三")
    submit = [b for b in at.button if b.label == "保存"]
    submit[0].click().run()
    assert not at.exception
    assert at.success
    assert "round-1" in at.success[0].value.replace("\\", "")  # shown as text: escaped
    store = open_store(app_env, read_only=True)
    saved = store.shortlist("round-1")
    store.close()
    assert saved is not None
    assert saved.created_by == "张三"
    assert [(i.product_id, i.note) for i in saved.items] == [
        ("internlm3", "=1+1 strong downloads"),
        ("lmdeploy", ""),
    ]
    assert at.get("download_button")


def test_methodology_and_data_health(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/methodology.py").run()
    assert not at.exception
    assert at.metric[0].value == "2026.2"
    at.switch_page("sections/data_health.py").run()
    assert not at.exception
    runs = at.dataframe[1].value
    assert {"成功", "部分成功", "失败"} <= set(runs["status_name"])
    partial = int(runs[runs["status_name"] == "部分成功"]["id"].iloc[0])
    at.selectbox(key="health_run").set_value(partial).run()
    failures = at.dataframe[2].value
    assert failures["subject"].tolist() == ["hf:model:fnlp/moss-tiny"]


def test_password_gate_blocks_until_the_right_password(
    app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSSIMPACT_DASHBOARD_PASSWORD", "s3cret")
    at = _app().run()
    assert at.title[0].value == "请登录"
    assert not at.dataframe
    at.text_input(key="auth_password").input("wrong")
    next(b for b in at.button if b.label == "进入").click().run()
    assert at.error
    at.text_input(key="auth_password").input("s3cret")
    next(b for b in at.button if b.label == "进入").click().run()
    assert at.title[0].value == "总览"


def test_dashboard_groups_nothing_itself_it_shows_the_recorded_members() -> None:
    """Membership is decided once, by scoring (ossimpact.registry.membership), and recorded: the
    dashboard only turns the record into products and member lists (it used to match patterns
    itself, case-sensitively and first-match-wins, and could disagree with the scores)."""
    from ossimpact.domain import ArtifactId, Product
    from ossimpact.scoring_service import recorded_products
    from ossimpact.store import ScoringMember

    registry_product = Product("internvl3", "InternVL3", "model", "shlab", include=("x",))
    recorded = [
        ScoringMember("internvl3", "InternVL3", "shlab", "model", "hf:model:OpenGVLab/InternVL3-8B", "registry"),
        ScoringMember("family:hf:model:internlm/internlm2_5", "internlm2_5", "shlab", "model", "hf:model:internlm/internlm2_5-7b-chat", "family"),
        ScoringMember("family:hf:model:internlm/internlm2_5", "internlm2_5", "shlab", "model", "hf:model:internlm/internlm2_5-1_8b", "family"),
        ScoringMember("gh:InternLM/lone", "lone", "shlab", "community", "gh:InternLM/lone", "own"),
    ]  # fmt: skip
    products = recorded_products([registry_product], recorded)
    assert [(p.id, p.name, p.category, p.implicit) for p in products] == [
        ("internvl3", "InternVL3", "model", False),
        ("family:hf:model:internlm/internlm2_5", "internlm2_5", "model", True),
        ("gh:InternLM/lone", "lone", "community", True),
    ]
    members = members_by_product(recorded)
    assert members["family:hf:model:internlm/internlm2_5"] == [
        ArtifactId.hf_model("internlm/internlm2_5-7b-chat"),
        ArtifactId.hf_model("internlm/internlm2_5-1_8b"),
    ]
    assert members["internvl3"] == [ArtifactId.hf_model("OpenGVLab/InternVL3-8B")]


def test_product_search_lists_few_matches_and_keeps_the_product_on_screen() -> None:
    labels = {f"p{i}": f"Model {i} · org{i % 3}" for i in range(500)}
    labels["qwen"] = "Qwen · alibaba"
    labels["qwen-vl"] = "Qwen-VL · alibaba"
    labels["my-qwen"] = "MyQwen · other"
    assert len(matching_products(labels, "", limit=50)) == 50
    assert matching_products(labels, "QWEN", limit=50) == ["qwen", "qwen-vl", "my-qwen"]
    # The product on screen stays first even when the search does not match it.
    assert matching_products(labels, "qwen", keep="p7", limit=2) == ["p7", "qwen"]
    assert matching_products(labels, "nothing like it", keep="p7") == ["p7"]
    assert matching_products(labels, "org2", limit=5) == ["p2", "p5", "p8", "p11", "p14"]
    assert matching_products(labels, "x", keep="gone") == []


def test_product_page_search_narrows_the_picker(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/product.py").run()
    at.text_input(key="product_search").input("minimax").run()
    assert not at.exception
    assert set(at.selectbox(key="product").options) >= {"MiniMax-M1 · minimax"}
    assert all("minimax" in o.casefold() for o in at.selectbox(key="product").options)
    at.selectbox(key="product").select("minimax-m1").run()
    assert at.header[0].value == "MiniMax\\-M1"
    assert at.query_params["product"] == "minimax-m1"
    # A new search keeps the product on screen in the picker.
    at.text_input(key="product_search").input("internlm").run()
    assert at.selectbox(key="product").value == "minimax-m1"
    assert at.header[0].value == "MiniMax\\-M1"


def test_leaderboard_asks_in_chinese_and_sorts_by_a_figure(app_env: str) -> None:
    # the order itself is tested on a board whose ranks and figures disagree
    # (tests/test_dashboard_format.py); here: the page's controls and their wiring
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    assert [m.placeholder for m in at.multiselect] == ["请选择"] * 4
    assert at.number_input(key="lb_page").value == 1
    at.selectbox(key="lb_sort").set_value("downloads_30d").run()
    assert not at.exception
    downloads = at.dataframe[0].value["downloads_30d"].dropna().tolist()
    assert len(downloads) >= 2
    assert downloads == sorted(downloads, reverse=True)


def test_openness_filter_and_the_eligibility_tab(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    board = at.dataframe[0].value.set_axis(_board_ids(at))
    assert board.loc[FLAGGED_PRODUCT, "license"] == "cc-by-nc-4.0"
    assert board.loc[FLAGGED_PRODUCT, "openness_name"] == "仅限非商业"
    assert board.loc["internlm3", "license"] == "Apache-2.0"  # SPDX spelling, not "apache-2.0"
    at.multiselect(key="lb_openness").set_value(["non-commercial"]).run()
    assert _board_ids(at) == [FLAGGED_PRODUCT]
    at.switch_page("sections/product.py")
    at.session_state["product"] = FLAGGED_PRODUCT
    at.session_state["product_tab_zh"] = "资格"
    at.run()
    assert not at.exception
    assert any("仅限非商业" in w.value for w in at.warning)
    [members] = [df.value for df in at.dataframe if "gated_text" in df.value]
    assert members["license"].tolist() == ["cc-by-nc-4.0"]
    assert members["gated_text"].tolist() == ["是"]
    # the members export says the same of each artifact
    from ossimpact.export import members_rows

    store = open_store(app_env)
    try:
        exported = members_rows(store, product_ids=[FLAGGED_PRODUCT])
    finally:
        store.close()
    assert exported["licence"].tolist() == ["cc-by-nc-4.0"]
    assert exported["openness"].tolist() == ["non-commercial"]


def test_switching_language_keeps_the_product_tab(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/product.py")
    at.session_state["product"] = "minimax-text"
    at.session_state["product_tab_zh"] = "制品与最新数据"
    at.run()
    assert any("grouped_by" in df.value for df in at.dataframe)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert any("grouped_by" in df.value for df in at.dataframe), "still on the artifacts tab"
    assert not any("contribution" in df.value for df in at.dataframe)


def test_hub_filter_and_downloads_per_hub(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/leaderboard.py").run()
    at.multiselect(key="lb_hubs").set_value(["ms"]).run()
    assert _board_ids(at) == ["internlm3"]  # the one product also published on ModelScope
    at.switch_page("sections/product.py")
    at.session_state["product"] = "internlm3"
    at.session_state["product_tab_zh"] = "制品与最新数据"
    at.run()
    assert not at.exception
    assert "各平台累计下载" in [s.value for s in at.subheader]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_the_score_breakdown_says_what_each_hub_gave(app_env: str) -> None:
    at = _app().run()
    at.switch_page("sections/product.py")
    at.session_state["product"] = "internlm3"
    at.session_state["product_tab_zh"] = "得分构成"
    at.run()
    assert not at.exception
    lines = [c.value for c in at.caption if "（各平台）：" in c.value]
    (all_time,) = [line for line in lines if line.startswith("累计下载")]
    assert all_time.startswith("累计下载（各平台）：Hugging Face ")
    assert " · ModelScope（魔搭） " in all_time


def test_downloads_per_hub_add_each_hubs_members() -> None:
    from dashboard.hubs import hub_downloads, product_hubs

    artifacts = pd.DataFrame(
        {
            "artifact": ["hf:model:a/x-7b", "hf:model:a/x-1b", "ms:model:b/x-7b", "gh:a/x"],
            "platform": ["hf", "hf", "ms", "gh"],
            "product_id": ["x", "x", "x", "x"],
        }
    )
    latest = pd.DataFrame(
        {
            "artifact": ["hf:model:a/x-7b", "hf:model:a/x-1b", "ms:model:b/x-7b", "gh:a/x"],
            "metric": ["downloads_all_time"] * 3 + ["stars"],
            "value": [100.0, 20.0, 700.0, 5.0],
        }
    )
    found = hub_downloads(latest, artifacts)
    assert found.to_dict("records") == [
        {"hub": "hf", "downloads": 120.0},
        {"hub": "ms", "downloads": 700.0},
    ]
    assert product_hubs(artifacts).to_dict("records") == [{"product_id": "x", "hubs": "hf,ms,gh"}]
