"""The comparison of `carrier-assess whatif`: a published year beside the same year scored under
another rulebook, as the data its files show.

`orchestration/whatif.py` reads the year and scores it; `compare` builds the `Comparison` from
the published tables and the new ones; `orchestration/publish/whatif_report.py` writes the files
(both import this module, so neither imports the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

REWARD_KEY = ("rule_code", "payee_uscc", "payee_name", "carrier_id")
"""A reward line on both sides: its rule, payee and carrier (the basis text may change)."""

CARRIER_COLUMNS = (
    "carrier_id",
    "total_score_old",
    "total_score_new",
    "grade_old",
    "grade_new",
    "rank_in_type_old",
    "rank_in_type_new",
)
"""`whatif_carrier_scores.parquet` (contract README)."""

REWARD_COLUMNS = (*REWARD_KEY, "amount_old", "amount_new")
"""`whatif_rewards.parquet`: a line present on one side only has NULL on the other."""

CHANGE_ZH = {"added": "新增", "removed": "取消", "changed": "金额变化", "same": "不变"}


def file_names(year: int) -> dict[str, str]:
    return {
        "workbook": f"whatif_{year}.xlsx",
        "report": f"whatif_{year}.html",
        "carriers": "whatif_carrier_scores.parquet",
        "rewards": "whatif_rewards.parquet",
    }


@dataclass
class Comparison:
    """Old (published) beside new (under the other rulebook), for the files."""

    year: int
    rules_file: str
    carriers: pl.DataFrame
    rewards: pl.DataFrame
    by_rule: pl.DataFrame
    by_payee: pl.DataFrame
    by_department: pl.DataFrame
    grades: pl.DataFrame
    budget: pl.DataFrame

    def facts(self) -> list[tuple[str, str, object, str]]:
        """(Chinese, English, value, kind) summary rows."""
        c, r = self.carriers, self.rewards
        moved = c.filter(pl.col("grade_changed")).height
        status = r.get_column("change").value_counts() if r.height else None
        count = dict(status.iter_rows()) if status is not None else {}

        def total(col: str) -> float:
            if not r.height:
                return 0.0
            return round(float(r.get_column(col).cast(pl.Float64).sum() or 0.0), 4)

        return [
            ("评价年度", "assessment year", self.year, "int"),
            ("对比规则文件", "rulebook compared", self.rules_file, "text"),
            ("参评载体数", "carriers", c.height, "int"),
            ("等级变化载体数", "carriers whose grade changes", moved, "int"),
            ("奖补总额（现行，万元）", "rewards published (10k CNY)", total("amount_old"), "money"),
            (
                "奖补总额（新规则，万元）",
                "rewards under the rulebook",
                total("amount_new"),
                "money",
            ),
            ("新增奖补条目", "reward lines added", count.get("added", 0), "int"),
            ("取消奖补条目", "reward lines removed", count.get("removed", 0), "int"),
            ("金额变化条目", "reward lines changed", count.get("changed", 0), "int"),
            ("不变条目", "reward lines unchanged", count.get("same", 0), "int"),
        ]

    @property
    def changed_lines(self) -> pl.DataFrame:
        """The reward lines added, removed or changed (the unchanged are in the Parquet file)."""
        return self.rewards.filter(pl.col("change") != "same")


def compare_carriers(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """One row per carrier: name and type, score, grade and rank old beside new; the carriers
    whose grade changes first, then the largest score change."""

    def side(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.select(
            "carrier_id",
            pl.col("carrier_name").alias(f"carrier_name{suffix}"),
            pl.col("carrier_type").alias(f"carrier_type{suffix}"),
            pl.col("total_score").alias(f"total_score{suffix}"),
            pl.col("grade").alias(f"grade{suffix}"),
            pl.col("rank_in_type").cast(pl.Int32).alias(f"rank_in_type{suffix}"),
        )

    both = side(old, "_old").join(side(new, "_new"), on="carrier_id", how="full", coalesce=True)
    delta = pl.col("total_score_new").cast(pl.Float64) - pl.col("total_score_old").cast(pl.Float64)
    return (
        both.with_columns(
            carrier_name=pl.coalesce("carrier_name_new", "carrier_name_old"),
            carrier_type=pl.coalesce("carrier_type_new", "carrier_type_old"),
            grade_changed=pl.col("grade_old").ne_missing(pl.col("grade_new")),
            score_change=delta.round(2),
        )
        .sort(
            ["grade_changed", pl.col("score_change").abs(), "carrier_id"],
            descending=[True, True, False],
            nulls_last=True,
        )
        .select(
            "carrier_id",
            "carrier_name",
            "carrier_type",
            *CARRIER_COLUMNS[1:],
            "score_change",
            "grade_changed",
        )
    )


def _lines(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
    return frame.group_by(list(REWARD_KEY)).agg(
        pl.col("rule_name_zh").first().alias(f"rule_name_zh{suffix}"),
        pl.col("payee_kind").first().alias(f"payee_kind{suffix}"),
        pl.col("basis_zh").first().alias(f"basis_zh{suffix}"),
        pl.col("amount").cast(pl.Decimal(18, 4)).sum().alias(f"amount{suffix}"),
    )


def compare_rewards(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Reward lines by rule, payee and carrier: old beside new, added / removed / changed
    first."""
    both = _lines(old, "_old").join(
        _lines(new, "_new"), on=list(REWARD_KEY), how="full", coalesce=True, nulls_equal=True
    )
    change = (
        pl.when(pl.col("amount_old").is_null())
        .then(pl.lit("added"))
        .when(pl.col("amount_new").is_null())
        .then(pl.lit("removed"))
        .when(pl.col("amount_old") != pl.col("amount_new"))
        .then(pl.lit("changed"))
        .otherwise(pl.lit("same"))
    )
    order = {"added": 0, "removed": 1, "changed": 2, "same": 3}
    return (
        both.with_columns(
            change=change,
            rule_name_zh=pl.coalesce("rule_name_zh_new", "rule_name_zh_old"),
            payee_kind=pl.coalesce("payee_kind_new", "payee_kind_old"),
            basis_zh=pl.coalesce("basis_zh_new", "basis_zh_old"),
            amount_change=(
                pl.col("amount_new").cast(pl.Float64).fill_null(0)
                - pl.col("amount_old").cast(pl.Float64).fill_null(0)
            ).round(4),
        )
        .with_columns(
            change_zh=pl.col("change").replace_strict(CHANGE_ZH, return_dtype=pl.String),
            _order=pl.col("change").replace_strict(order, return_dtype=pl.Int8),
        )
        .sort(["_order", *REWARD_KEY], nulls_last=True)
        .select(
            "change",
            "change_zh",
            "rule_code",
            "rule_name_zh",
            "payee_kind",
            "payee_name",
            "payee_uscc",
            "carrier_id",
            "basis_zh",
            "amount_old",
            "amount_new",
            "amount_change",
        )
    )


def _totals(old: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    def side(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.group_by(keys).agg(
            pl.col("amount").cast(pl.Float64).sum().alias(f"amount{suffix}")
        )

    return (
        side(old, "_old")
        .join(side(new, "_new"), on=keys, how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col("amount_old", "amount_new").fill_null(0.0).round(4))
        .with_columns(amount_change=(pl.col("amount_new") - pl.col("amount_old")).round(4))
        .sort(keys, nulls_last=True)
    )


def _with_departments(rewards: pl.DataFrame, rulebook) -> pl.DataFrame:
    """One row per line and responsible department (a published year without the column
    takes the departments of the rulebook compared)."""
    names = {code: "、".join(v) for code, v in rulebook.departments.items()}
    fallback = pl.col("rule_code").replace_strict(
        list(names), list(names.values()), default=None, return_dtype=pl.String
    )
    current = pl.col("departments_zh") if "departments_zh" in rewards.columns else pl.lit(None)
    return (
        rewards.with_columns(department_zh=pl.coalesce(current.cast(pl.String), fallback))
        .filter(pl.col("department_zh").is_not_null())
        .with_columns(pl.col("department_zh").str.split("、"))
        .explode("department_zh")
    )


def compare(
    year: int,
    rules_file: str,
    old_scores: pl.DataFrame,
    old_rewards: pl.DataFrame,
    new: dict[str, pl.DataFrame],
    rulebook,
) -> Comparison:
    """Everything the files show, from the published tables and the new result tables."""
    new_scores, new_rewards = new["carrier_scores"], new["rewards"]
    grades = (
        pl.DataFrame({"grade": ["A", "B", "C", "D"]})
        .join(old_scores.group_by("grade").len("count_old"), on="grade", how="left")
        .join(new_scores.group_by("grade").len("count_new"), on="grade", how="left")
        .with_columns(pl.col("count_old", "count_new").fill_null(0).cast(pl.Int64))
    )
    payee = ["payee_kind", "payee_name", "payee_uscc"]
    return Comparison(
        year=year,
        rules_file=rules_file,
        carriers=compare_carriers(old_scores, new_scores),
        rewards=compare_rewards(old_rewards, new_rewards),
        by_rule=_totals(old_rewards, new_rewards, ["rule_code"]),
        by_payee=_totals(old_rewards, new_rewards, payee)
        .with_columns(_abs=pl.col("amount_change").abs())
        .sort(["_abs", *payee], descending=[True, False, False, False], nulls_last=True)
        .drop("_abs"),
        by_department=_totals(
            _with_departments(old_rewards, rulebook),
            _with_departments(new_rewards, rulebook),
            ["department_zh"],
        ),
        grades=grades,
        budget=new["reward_budget"],
    )
