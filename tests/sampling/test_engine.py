"""kit.sampling: the six rules of 九 alone on small frames, the engine on the sample registers,
bad inputs, invariants under hypothesis, and the ``kit sample`` command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.cli import main
from kit.errors import ValidationError
from kit.resources import shipped_dir
from kit.sampling import (
    FLAGS,
    SampleResult,
    data_conclusion_mismatch,
    draw_groups,
    expand_discrepant,
    find_discrepancies,
    follow_batches,
    in_window,
    load_registers,
    rank_products,
    record_windows,
    sample,
    versions_in_force,
    zero_defect_sample_size,
    zero_defect_upper_bound,
)

SAMPLE = shipped_dir("sample_data") / "registers"
DAY = "2026-11-20"


def records(*rows: dict[str, object]) -> pd.DataFrame:
    """A records frame as kit.sampling types it; unnamed fields get plain defaults."""
    base = {"record_type": "出厂检验记录", "product": "口罩", "batch": "K1",
            "record_date": "2026-10-01", "condition": None}
    data = [{"record_id": f"R{i}", **base, **row} for i, row in enumerate(rows)]
    frame = pd.DataFrame(data)
    frame["record_date"] = pd.to_datetime(frame["record_date"]).astype("datetime64[ns]")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    return frame


PRODUCTS = pd.DataFrame({"product": ["注射器", "口罩", "体温计"], "class": [3, 2, 2],
                         "high_risk": [True, False, False], "volume": [1e6, 5e6, 2e5]})


# -- 9.1 -----------------------------------------------------------------------------------
def test_draw_takes_per_group_from_each_type_product_and_condition() -> None:
    rows = [{"condition": c, "record_date": f"2026-10-{d:02d}"} for c in ("1号线", "2号线")
            for d in range(1, 11)] + [{"record_type": "放行记录"}]
    drawn = draw_groups(records(*rows), per_group=2, seed=1)
    assert drawn.groupby("group").size().to_dict() == {
        "出厂检验记录 / 口罩 / 1号线": 2, "出厂检验记录 / 口罩 / 2号线": 2, "放行记录 / 口罩": 1}
    assert set(drawn["n_group"]) == {10, 1}


def test_draw_is_reproducible_and_ignores_row_order() -> None:
    frame = records(*({"record_date": f"2026-10-{d:02d}"} for d in range(1, 29)))
    first = set(draw_groups(frame, per_group=3, seed=42)["record_id"])
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert set(draw_groups(shuffled, per_group=3, seed=42)["record_id"]) == first
    others = {frozenset(draw_groups(frame, per_group=3, seed=s)["record_id"]) for s in range(8)}
    assert len(others) > 1  # the seed matters


# -- 9.2 -----------------------------------------------------------------------------------
def test_window_is_the_quarter_before_the_inspection_or_the_latest_cycle() -> None:
    frame = records(
        {"product": "口罩", "record_date": "2026-09-01"},
        {"product": "输液器", "batch": "Y1", "record_date": "2026-05-01"},
        {"product": "输液器", "batch": "Y1", "record_date": "2026-05-20"},
        {"product": "输液器", "batch": "Y2", "record_date": "2026-07-01"},  # latest batch
        {"product": "输液器", "batch": "Y2", "record_date": "2026-07-25"},
        {"product": "输液器", "batch": "Y1", "record_date": "2026-07-10"},  # inside Y2's span
        {"product": "口罩", "record_date": "2026-12-01"},  # after the inspection: never
    )
    windows = record_windows(frame, DAY).set_index("product")
    assert windows.loc["口罩", "window_start"] == pd.Timestamp("2026-08-20")
    assert windows.loc["口罩", "window_end"] == pd.Timestamp(DAY)
    assert not windows.loc["口罩", "window_fallback"]
    assert windows.loc["口罩", "n_records"] == 1
    cycle = windows.loc["输液器"]
    assert cycle["window_fallback"]
    assert cycle["cycle_batch"] == "Y2"
    assert (cycle["window_start"], cycle["window_end"]) == (pd.Timestamp("2026-07-01"),
                                                            pd.Timestamp("2026-07-25"))
    assert cycle["n_in_window"] == 3
    inside = in_window(frame, windows.reset_index())
    assert inside.tolist() == [True, False, False, True, True, True, False]


def test_versions_in_force_match_each_record_date() -> None:
    docs = pd.DataFrame({"doc_id": ["SOP-1", "SOP-1", "SOP-2"], "version": ["A/1", "B/0", "A/0"],
                         "effective_from": ["2025-01-01", "2026-09-01", "2026-01-01"],
                         "effective_to": ["2026-08-31", None, "2026-06-30"]})
    frame = records(
        {"doc_id": "SOP-1", "doc_version": "A/1", "record_date": "2026-08-31"},
        {"doc_id": "SOP-1", "doc_version": "a/1", "record_date": "2026-10-10"},  # old version
        {"doc_id": "SOP-1", "doc_version": "b/0 ", "record_date": "2026-10-10"},  # case, spaces
        {"doc_id": "SOP-1", "doc_version": "A/1", "record_date": "2024-12-31"},  # before any
        {"doc_id": "SOP-2", "doc_version": "A/0", "record_date": "2026-07-01"},  # expired
        {"doc_id": "SOP-9", "doc_version": "A/0"},
        {"doc_id": "SOP-2", "record_date": "2026-03-01"},
        {},
    )
    found = versions_in_force(frame, docs)
    assert found["version_status"].tolist() == [
        "ok", "mismatch", "ok", "not_in_force", "not_in_force", "unknown_document",
        "no_version", ""]
    assert found["doc_version_in_force"].tolist()[:3] == ["A/1", "B/0", "B/0"]
    assert versions_in_force(frame, None)["version_status"].eq("").all()


# -- 9.3 -----------------------------------------------------------------------------------
def test_products_are_taken_by_safety_or_volume_in_turn_and_limited() -> None:
    ranked = rank_products(PRODUCTS, ["注射器", "口罩", "体温计", "敷贴"], max_products=2)
    assert ranked["product"].tolist() == ["注射器", "口罩", "体温计", "敷贴"]
    assert ranked["chosen"].tolist() == [True, True, False, False]
    assert "按安全性要求较高排第 1/4" in ranked.loc[0, "reason"]
    assert "高风险" in ranked.loc[0, "reason"]
    assert "按生产量较大排第 2/4" in ranked.loc[1, "reason"]  # not the second-safest
    assert "未入选" in ranked.loc[2, "reason"]
    assert not ranked.loc[3, "in_register"]
    assert "产品登记表中没有" in ranked.loc[3, "reason"]
    everything = rank_products(PRODUCTS, ["口罩"])
    assert everything["chosen"].all()
    assert everything["reason"].str.contains("全部").all()


def test_either_order_keeps_safety_first_and_needs_no_volumes() -> None:
    two_risky = pd.DataFrame({"product": ["A", "B", "C", "D"], "class": [3, 3, 2, 2],
                              "high_risk": [True, True, False, False],
                              "volume": [10, 20, 1000, 500]})
    ranked = rank_products(two_risky, [], max_products=2)
    assert ranked["product"].tolist()[:2] == ["B", "C"]
    no_volumes = rank_products(pd.DataFrame({"product": ["甲", "乙"], "class": [2, 3]}), [],
                               max_products=1)
    assert no_volumes["product"].tolist() == ["乙", "甲"]
    assert "产量 未填" in no_volumes.loc[0, "reason"]


# -- 9.4 -----------------------------------------------------------------------------------
def steps(batch: str, start: str, stages: list[str], product: str = "注射器") -> list[dict]:
    day = pd.Timestamp(start)
    return [{"product": product, "batch": batch, "stage": s, "record_type": f"{s}记录",
             "record_date": str((day + pd.Timedelta(days=i)).date())} for i, s in enumerate(stages)]


ALL = ["采购", "生产", "灭菌", "出厂检验", "放行", "销售"]


def test_follow_batch_reports_the_stages_it_lacks() -> None:
    frame = records(*steps("S1", "2026-09-01", ALL),
                    *steps("S2", "2026-09-10", ["采购", "生产", "出厂检验", "放行", "销售"]))
    drawn = frame[frame["batch"] == "S2"].head(1)
    trace, gaps = follow_batches(frame, drawn, seed=1)
    assert set(trace["batch"]) == {"S2"}
    assert len(trace) == 5
    row = gaps.iloc[0]
    assert (row["product"], row["batch"], row["missing_stages"], row["gap"]) == (
        "注射器", "S2", "灭菌", True)
    assert row["stages"] == "采购；生产；出厂检验；放行；销售"  # in process order


def test_follow_batch_prefers_a_finished_batch_to_one_still_in_production() -> None:
    frame = records(*steps("S1", "2026-09-01", ALL), *steps("S2", "2026-11-15", ALL[:3]))
    drawn = frame[frame["stage"] == "采购"]  # both batches drawn once
    for seed in range(5):
        _, gaps = follow_batches(frame, drawn, seed=seed)
        assert gaps["batch"].tolist() == ["S1"]
        assert not gaps["gap"].any()


# -- 9.5 -----------------------------------------------------------------------------------
def test_data_against_conclusion() -> None:
    frame = records(
        {"测量值": 93.8, "lower": 95.0, "conclusion": "合格"},  # outside, passed: flagged
        {"测量值": 98.0, "lower": 95.0, "upper": 100.0, "conclusion": "不合格"},  # inside, failed
        {"测量值": 93.8, "lower": 95.0, "conclusion": "不合格"},  # agrees
        {"测量值": 98.0, "lower": 95.0, "conclusion": "合格"},  # agrees
        {"测量值": 120.0, "upper": 110.0, "conclusion": "合格"},  # above a one-sided limit
        {"测量值": 50.0, "conclusion": "合格"},  # no limits: cannot judge
        {"lower": 95.0, "conclusion": "合格"},  # no value: cannot judge
    )
    assert data_conclusion_mismatch(frame).tolist() == [True, True, False, False, True, False,
                                                        False]


# -- 9.6 -----------------------------------------------------------------------------------
def test_discrepancy_is_the_largest_relative_difference_in_a_group() -> None:
    frame = records({"测量值": 600.0, "condition": "2号柜"}, {"测量值": 820.0, "condition": "2号柜"},
                    {"测量值": 600.0, "condition": "1号柜"}, {"测量值": 610.0, "condition": "1号柜"})
    found = find_discrepancies(frame, threshold=0.2)
    wide = found.loc["出厂检验记录 / 口罩 / 2号柜"]
    assert wide["relative_difference"] == pytest.approx(220 / 820)
    assert wide["discrepant"]
    assert (wide["low_index"], wide["high_index"]) == (0, 1)
    assert not found.loc["出厂检验记录 / 口罩 / 1号柜", "discrepant"]
    assert not find_discrepancies(frame, threshold=0.3)["discrepant"].any()


def test_where_the_register_gives_limits_a_difference_is_measured_against_the_tolerance(
        ) -> None:
    # 29.8 and 30.2 kΩ within 29.7-30.3: 1% of the value, but 67% of what is allowed
    frame = records({"阻值": 29.8, "lower": 29.7, "upper": 30.3, "condition": "A"},
                    {"阻值": 30.2, "lower": 29.7, "upper": 30.3, "condition": "A"},
                    {"阻值": 29.9, "lower": 29.7, "upper": 30.3, "condition": "B"},
                    {"阻值": 30.0, "lower": 29.7, "upper": 30.3, "condition": "B"},
                    {"阻值": 600.0, "condition": "C"}, {"阻值": 610.0, "condition": "C"})
    found = find_discrepancies(frame, threshold=0.2, columns=["阻值"])
    a, b, c = (found.loc[f"出厂检验记录 / 口罩 / {k}"] for k in "ABC")
    assert (a["basis"], a["tolerance"]) == ("tolerance", pytest.approx(0.6))
    assert a["relative_difference"] == pytest.approx(0.4 / 0.6)
    assert a["discrepant"]
    assert not b["discrepant"]  # 0.1 of 0.6
    assert c["basis"] == "value"  # no limits: relative to the value, as before
    assert not c["discrepant"]


def test_widening_takes_the_window_first_then_the_nearest_outside() -> None:
    frame = records(*({"record_date": d, "测量值": 1.0} for d in
                      ["2026-10-01", "2026-10-02", "2026-10-03", "2026-08-01", "2026-05-01"]))
    windows = record_windows(frame, DAY)
    group = ["出厂检验记录 / 口罩"]
    added = expand_discrepant(frame, group, frame.index[:2], per_group=2, seed=1, windows=windows)
    assert added["record_date"].tolist() == [pd.Timestamp("2026-10-03"),
                                             pd.Timestamp("2026-08-01")]
    assert added["expanded_from"].tolist() == ["window", "outside"]


# -- statistics ----------------------------------------------------------------------------
def test_zero_defect_bound_and_sample_size_agree_with_domain_notes() -> None:
    assert zero_defect_sample_size(0.05) == 59
    assert zero_defect_sample_size(0.05, 0.99) == 90
    bound = zero_defect_upper_bound(np.array([0, 1, 2, 59]))
    assert bound[0] == 1.0
    assert bound[1] == pytest.approx(0.95)
    assert bound[2] == pytest.approx(1 - 0.05 ** 0.5)
    assert bound[3] < 0.05


# -- the engine on the sample registers ----------------------------------------------------
@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rec, prod, docs = load_registers(SAMPLE / "records.xlsx", SAMPLE / "products.csv",
                                     SAMPLE / "documents.csv")
    assert docs is not None
    return rec.frame, prod.frame, docs.frame


@pytest.mark.parametrize("seed", [0, 7, 2026])
def test_every_planted_case_is_found_whatever_the_seed(
        demo: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], seed: int) -> None:
    result = sample(*demo, DAY, seed=seed)
    chosen = result.selection.set_index("record_id")

    def flagged(flag: str) -> pd.DataFrame:
        return chosen[chosen["flags"].str.split(";").map(lambda f: flag in f)]

    # 9.5: S2608-03's 出厂检验 拉伸力 below its lower limit judged 合格
    [row] = flagged("data_conclusion_mismatch").itertuples()
    assert (row.batch, row.record_type) == ("S2608-03", "出厂检验记录")
    assert "9.5" in row.rules
    assert "20.6" in row.reason
    assert "却判定合格" in row.reason
    # 9.2: a 体温计 过程检验记录 cites A/1 while B/0 is in force
    [row] = flagged("version_mismatch").itertuples()
    assert (row.batch, row.doc_version, row.doc_version_in_force) == ("T2610-01", "A/1", "B/0")
    # 9.2 fallback and 9.4 gap: 输液器 has no records in the quarter; its last batch lacks 出厂检验
    infusion = chosen[chosen["product"] == "一次性使用输液器"]
    assert len(infusion) > 0
    assert infusion["flags"].str.contains("window_fallback").all()
    gaps = result.trace_gaps.set_index("product")
    assert gaps.loc["一次性使用输液器", "batch"] == "Y2607-02"
    assert gaps.loc["一次性使用输液器", "missing_stages"] == "出厂检验"
    assert set(flagged("trace_gap")["batch"]) == {"Y2607-02"}
    assert not gaps.drop(index="一次性使用输液器")["gap"].any()
    # 9.6: the two 2号灭菌柜 runs differ; the window has no more, so two come from before it
    # (other groups may widen too: with some seeds the 9.5 record is drawn beside a normal one)
    group = "灭菌记录 / 一次性使用无菌注射器 / 2号灭菌柜"
    assert len(flagged("discrepancy").query("group == @group")) == 2
    widened = flagged("expanded").query("group == @group")
    assert len(widened) == 2
    assert widened["flags"].str.contains("outside_window").all()
    assert (widened["record_date"] < pd.Timestamp("2026-08-20")).all()
    assert result.groups.set_index("group").loc[group, "n_sampled"] == 4


def test_demo_selection_covers_every_group_and_product(
        demo: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    result = sample(*demo, DAY, seed=7)
    chosen = result.selection
    groups = result.groups.set_index("group")
    drawn = chosen[chosen["rules"].str.contains("9.1")].groupby("group").size()
    expected = np.minimum(groups["n_in_window"], 2)
    pd.testing.assert_series_equal(drawn.sort_index(), expected.sort_index(), check_names=False)
    assert set(chosen["product"]) == set(demo[1]["product"])
    assert result.products["chosen"].all()
    assert result.seed == 7
    n = groups["n_sampled"].to_numpy(dtype=float)
    assert np.allclose(groups["defect_rate_ucl_95"], np.round(1 - 0.05 ** (1 / n), 4))
    summary = result.summary.set_index(["product", "record_type"])
    assert summary["n_selected"].sum() == len(chosen)
    assert list(chosen.columns[:6]) == ["record_id", "rules", "reason", "group",
                                        "doc_version_in_force", "flags"]
    assert chosen["record_id"].is_unique


def test_same_inputs_and_seed_give_the_same_selection(
        demo: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    first = sample(*demo, DAY, seed=11)
    again = sample(demo[0].sample(frac=1.0, random_state=5), demo[1], demo[2], DAY, seed=11)
    pd.testing.assert_frame_equal(first.selection, again.selection)
    from_csv = load_registers(SAMPLE / "records.csv", SAMPLE / "products.csv")[0].frame
    pd.testing.assert_frame_equal(
        sample(from_csv, demo[1], demo[2], DAY, seed=11).selection, first.selection)
    assert not sample(*demo, DAY, seed=12).selection["record_id"].equals(
        first.selection["record_id"])


def test_max_products_takes_the_safest_and_the_largest(demo: tuple[pd.DataFrame, ...]) -> None:
    # 九、3: "生产量较大或者产品安全性要求较高": the riskiest (a sterile class III syringe) and
    # the one made most (the thermometer), not the two riskiest
    result = sample(*demo, DAY, seed=1, max_products=2)
    assert set(result.selection["product"]) == {"一次性使用无菌注射器", "医用电子体温计"}
    assert any("只查前 2 个产品" in note for note in result.notes)


def test_without_documents_versions_are_not_checked(demo: tuple[pd.DataFrame, ...]) -> None:
    result = sample(demo[0], demo[1], None, DAY, seed=1)
    assert not result.selection["flags"].str.contains("version_mismatch").any()
    assert result.selection["doc_version_in_force"].isna().all()
    assert any("未提供文件登记表" in note for note in result.notes)


# -- bad inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"per_group": 0}, "per_group"), ({"discrepancy": 0}, "discrepancy"),
    ({"seed": -1}, "seed"), ({"max_products": 0}, "max_products"),
])
def test_bad_parameters_are_refused(kwargs: dict[str, int], field: str) -> None:
    args = {"seed": 1, **kwargs}
    with pytest.raises(ValidationError) as exc:
        sample(records({}), PRODUCTS, None, DAY, **args)
    assert [p.field for p in exc.value.problems] == [field]


def test_bad_frames_and_dates_are_refused() -> None:
    with pytest.raises(ValidationError, match="record_date"):
        sample(records({}).drop(columns="record_date"), PRODUCTS, None, DAY, seed=1)
    with pytest.raises(ValidationError, match="inspection_date"):
        sample(records({}), PRODUCTS, None, "next week", seed=1)
    with pytest.raises(ValidationError, match="missing_column"):
        sample(records({}), PRODUCTS.drop(columns="product"), None, DAY, seed=1)


def test_a_record_without_a_type_is_never_drawn() -> None:
    frame = records({}, {"record_type": None}, {"record_date": "2026-10-02"})
    result = sample(frame, PRODUCTS, None, DAY, seed=1)
    assert result.selection["record_id"].tolist() == ["R0", "R2"]
    assert result.groups["group"].tolist() == ["出厂检验记录 / 口罩"]


def test_records_after_the_inspection_date_are_left_out_and_noted() -> None:
    result = sample(records({}, {"record_date": "2026-12-01"}), PRODUCTS, None, DAY, seed=1)
    assert result.selection["record_id"].tolist() == ["R0"]
    assert any("晚于检查日期" in note for note in result.notes)


# -- invariants ----------------------------------------------------------------------------
@st.composite
def registers(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 60))
    day = st.integers(-400, 30)  # days before (negative) and after the inspection date
    rows = [{"record_type": draw(st.sampled_from(["采购记录", "生产记录", "出厂检验记录"])),
             "product": draw(st.sampled_from(["注射器", "口罩", "输液器", "敷贴"])),
             "condition": draw(st.sampled_from([None, "1号线", "2号线"])),
             "batch": draw(st.sampled_from(["B1", "B2", "B3", "B4"])),
             "record_date": str((pd.Timestamp(DAY) + pd.Timedelta(days=draw(day))).date()),
             "测量值": draw(st.floats(1, 100)), "lower": 10.0, "upper": 90.0,
             "conclusion": draw(st.sampled_from(["合格", "不合格", None]))} for _ in range(n)]
    return records(*rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.integers(0, 2**31), st.integers(1, 3))
def test_invariants_hold_for_any_register(frame: pd.DataFrame, seed: int, per_group: int) -> None:
    result = sample(frame, PRODUCTS, None, DAY, seed=seed, per_group=per_group)
    chosen = result.selection
    day = pd.Timestamp(DAY)
    quarter = chosen["record_date"] >= day - pd.DateOffset(months=3)
    flags = chosen["flags"].str.split(";")
    # every chosen record lies in the window unless its flags say otherwise
    explained = flags.map(lambda f: "window_fallback" in f or "outside_window" in f)
    assert (quarter | explained).all()
    windows = result.products.set_index("product")
    lo = chosen["product"].map(windows["window_start"])
    hi = chosen["product"].map(windows["window_end"])
    inside = (chosen["record_date"] >= lo) & (chosen["record_date"] <= hi)
    assert (inside == ~flags.map(lambda f: "outside_window" in f)).all()
    # nothing from after the inspection, nothing invented, nothing twice
    assert (chosen["record_date"] <= day).all()
    assert chosen["record_id"].is_unique
    assert set(chosen["record_id"]) <= set(frame["record_id"])
    # only known flags and rules; every record says why it is there
    assert flags.map(lambda f: set(f) <= {"", *FLAGS}).all()
    assert chosen["rules"].str.split(";").map(
        lambda r: set(r) <= {"9.1", "9.2", "9.4", "9.5", "9.6"} and r != [""]).all()
    assert chosen["reason"].str.len().gt(0).all()
    # 9.1: each group in the windows gives min(size, per_group) drawn records
    drawn = chosen[chosen["rules"].str.contains("9.1")].groupby("group").size()
    expected = result.groups.set_index("group")["n_in_window"].clip(upper=per_group)
    assert drawn.reindex(expected.index).fillna(0).astype(int).equals(expected)
    # 9.6: nothing is widened without a discrepancy in its group
    widened = set(chosen.loc[flags.map(lambda f: "expanded" in f), "group"])
    assert widened <= set(result.groups.loc[result.groups["discrepancy"], "group"])
    # same inputs, any row order, same seed: the same selection
    again = sample(frame.iloc[::-1], PRODUCTS, None, DAY, seed=seed, per_group=per_group)
    pd.testing.assert_frame_equal(again.selection, chosen)


# -- kit sample ------------------------------------------------------------------------------
def test_kit_sample_writes_the_workbook_and_prints_the_seed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sample.xlsx"
    code = main(["sample", "--records", str(SAMPLE / "records.xlsx"), "--products",
                 str(SAMPLE / "products.csv"), "--documents", str(SAMPLE / "documents.csv"),
                 "--inspection-date", DAY, "--seed", "7", "--out", str(out)])
    assert code == 0
    assert "随机种子 seed 7" in capsys.readouterr().out
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert list(sheets) == list(SampleResult.TITLES.values())
    chosen = sheets["抽样记录"]
    assert "S2608-03" in set(chosen.loc[chosen["flags"] == "data_conclusion_mismatch", "batch"])
    params = sheets["参数与说明"].set_index("parameter")
    assert str(params.loc["seed", "value"]) == "7"


def test_kit_sample_csv_with_a_column_map(tmp_path: Path) -> None:
    renamed = pd.read_csv(SAMPLE / "records.csv", dtype=str).rename(columns={"记录编号": "单据号"})
    renamed.to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "s.csv"
    code = main(["sample", "--records", str(tmp_path / "r.csv"), "--products",
                 str(SAMPLE / "products.csv"), "--inspection-date", DAY, "--seed", "3",
                 "--column-map", "单据号=record_id", "--max-products", "1", "--out", str(out)])
    assert code == 0
    chosen = pd.read_csv(out, encoding="utf-8-sig")
    assert set(chosen["product"]) == {"一次性使用无菌注射器"}
    assert (tmp_path / "s_summary.csv").exists()
    assert (tmp_path / "s_parameters.csv").exists()


def test_kit_sample_bad_input_exits_2_listing_every_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sample", "--records", str(tmp_path / "none.csv"), "--products",
                 str(SAMPLE / "products.csv"), "--inspection-date", "2026-02-30",
                 "--column-map", "oops", "--out", str(tmp_path / "x.csv")])
    assert code == 2
    assert "bad_column_map" in capsys.readouterr().err
    code = main(["sample", "--records", str(tmp_path / "none.csv"), "--products",
                 str(SAMPLE / "products.csv"), "--inspection-date", "2026-02-30",
                 "--out", str(tmp_path / "x.json")])
    err = capsys.readouterr().err
    assert "unsupported_format" in err
    code = main(["sample", "--records", str(tmp_path / "none.csv"), "--products",
                 str(SAMPLE / "products.csv"), "--inspection-date", "2026-02-30",
                 "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "file_not_found" in err
    assert "inspection_date" in err
    assert not (tmp_path / "x.csv").exists()
