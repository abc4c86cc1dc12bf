"""The office's decisions applied to a scored year (contract: "Adjustments").

Pure functions over polars frames. The adjustments frame (`ADJUSTMENT_INPUT` below) is the
office's file as `orchestration.ingest.adjustments_io` read and resolved it: one row per row of the
file. Row-level kinds (`exclude_row`, `set_value`) were already applied by staging, before
cleaning; the edge resolved their target row (`carrier_id`, `uscc`, `dataset`, `old_value`,
`applied`, `effect_zh`). Here:

- `set_grade` replaces the grade after grading and the A cap; total and rank stay, no other
  carrier moves, and the actions are derived from the adjusted grade;
- `set_reward` replaces the line's `amount`; `amount_before_cap` and `cap` stay;
- every result row an adjustment acted on carries its id in `adjustment_ids`;
- `adjustment_rows` is `results.adjustments`: every row of the file, applied or not, with the
  old and the new value and a Chinese sentence of its effect.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import polars as pl

from scoring.results_contract import table_schema

KINDS: dict[str, str] = {
    "exclude_row": "剔除数据行",
    "set_value": "更正数据",
    "set_grade": "调整等级",
    "set_reward": "调整奖补金额",
}
ROW_KINDS = ("exclude_row", "set_value")
SCORING_KINDS = ("set_grade", "set_reward")
STATUSES: dict[str, str] = {"accepted": "通过", "rejected": "驳回", "pending": "待定"}
SOURCES: dict[str, str] = {"appeal": "申诉", "review": "复核"}
GRADES = ("A", "B", "C", "D")

S, B, D = pl.String, pl.Boolean, pl.Date

ADJUSTMENT_INPUT: dict[str, pl.DataType] = {
    "adjustment_id": S,
    "kind": S,
    "target": S,
    "field": S,
    "value": S,
    "reason": S,
    "approved_by": S,
    "approved_on": D,
    "status": S,
    "source": S,
    "file_row": pl.Int32,
    "carrier_id": S,
    "uscc": S,
    "dataset": S,
    "old_value": S,
    "applied": B,
    "effect_zh": S,
}
"""The adjustments scoring reads. The last six are resolved by the edge for row-level kinds
(NULL for the others): the carrier and tenant the report row belongs to, its dataset, the value
it held, whether the row was found, and the sentence of its effect."""

ADJUSTMENT_OUTPUT: dict[str, pl.DataType] = table_schema("adjustments")
"""`results.adjustments` before run_id: the contract's columns plus the carrier and dataset
the adjustment concerns (for the office's filters) and the row of the office's file it came
from (kept when the year's stored adjustments are applied again)."""

DATASET_INDICATORS: dict[str, tuple[str, ...] | None] = {
    "carriers": None,  # the carrier's own facts: every indicator
    "tenants": ("S2", "S4", "S5", "P2", "P6", "D1", "D2", "D3"),
    "patents": ("P4", "P5"),
    "high_tech": ("P1", "S5"),
    "graduations": ("P3", "B2"),
    "financing": ("S1", "S2"),
    "awards": (),
    "evaluations": ("B1",),
    "recognitions": (),
    "subsidy_claims": (),
}
"""The indicators (rules.md) a report row of each dataset feeds: a row-level adjustment is
marked on those score_details rows of the carrier that reported the row."""

DATASETS_FEEDING_REWARDS = frozenset({"awards", "evaluations", "recognitions", "subsidy_claims"})
"""Datasets whose rows are read by reward rules: a row-level adjustment on one is marked on the
reward lines of the carrier that reported it."""

IDS = "adjustment_ids"


def empty_adjustments() -> pl.DataFrame:
    return pl.DataFrame(schema=ADJUSTMENT_INPUT)


def conform_adjustments(frame: pl.DataFrame | None) -> pl.DataFrame:
    """The adjustments with every column of `ADJUSTMENT_INPUT` (missing ones NULL), typed."""
    if frame is None:
        return empty_adjustments()
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in ADJUSTMENT_INPUT.items()
    )


def reward_line_key() -> pl.Expr:
    """`<rule_code>|<payee_uscc, else payee_name>|<carrier_id>`: a reward line as the contract
    names it (the target of `set_reward` and the row key of run_changes)."""
    payee = pl.coalesce(
        pl.when(pl.col("payee_uscc").cast(S).str.len_chars() > 0).then(pl.col("payee_uscc")),
        pl.col("payee_name"),
        pl.lit(""),
    )
    return pl.concat_str(
        [pl.col("rule_code").fill_null(""), payee, pl.col("carrier_id").fill_null("")],
        separator="|",
    )


def _accepted(adjustments: pl.DataFrame, kind: str) -> pl.DataFrame:
    return adjustments.filter((pl.col("kind") == kind) & (pl.col("status") == "accepted"))


def _amount_text(value: Decimal | float | None) -> str | None:
    if value is None:
        return None
    text = f"{Decimal(str(value)):.4f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_amount(text: str | None) -> Decimal | None:
    """A set_reward value: 万元, a number ≥ 0 (a trailing 万元/万 is allowed)."""
    if text is None:
        return None
    cleaned = str(text).strip().replace(",", "").removesuffix("万元").removesuffix("万").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def adjust_grades(
    scores: pl.DataFrame, adjustments: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, dict[str, object]]]:
    """carrier_scores with each accepted `set_grade` applied, and per adjustment id what it did.

    Only `grade` (and its note) changes: total, rank, the other carriers stay as graded.
    """
    log: dict[str, dict[str, object]] = {}
    grades = dict(zip(scores["carrier_id"].to_list(), scores["grade"].to_list(), strict=True))
    new_grade: dict[str, str] = {}
    note: dict[str, str] = {}
    for row in _accepted(adjustments, "set_grade").iter_rows(named=True):
        carrier, value = row["target"], (row["value"] or "").strip().upper()
        if carrier not in grades or value not in GRADES:
            log[row["adjustment_id"]] = {
                "applied": False,
                "old_value": None,
                "new_value": value or None,
                "effect_zh": f"对象不存在，未执行：本年度无载体 {carrier} 的评分"
                " / target not found",
            }
            continue
        old = grades[carrier]
        new_grade[carrier] = value
        grades[carrier] = value
        note[carrier] = f"按调整 {row['adjustment_id']} 由{old}改为{value}：{row['reason']}"
        same = "（与评定等级相同，无变化）" if old == value else ""
        log[row["adjustment_id"]] = {
            "applied": True,
            "old_value": old,
            "new_value": value,
            "effect_zh": (
                f"载体 {carrier} 等级由 {old} 调整为 {value}{same}；总分与类型内排名不变，"
                "其他载体不受影响，处置措施按调整后等级确定"
            ),
            "carrier_id": carrier,
        }
    if not new_grade:
        return scores, log
    mapping = pl.DataFrame(
        {
            "carrier_id": list(new_grade),
            "_new_grade": list(new_grade.values()),
            "_note": [note[c] for c in new_grade],
        },
        schema={"carrier_id": S, "_new_grade": S, "_note": S},
    )
    adjusted = (
        scores.join(mapping, on="carrier_id", how="left")
        .with_columns(
            grade=pl.coalesce("_new_grade", "grade"),
            grade_note_zh=pl.when(pl.col("_note").is_null())
            .then(pl.col("grade_note_zh"))
            .otherwise(
                pl.concat_str(
                    [pl.col("grade_note_zh"), pl.col("_note")], separator="；", ignore_nulls=True
                )
            ),
        )
        .drop("_new_grade", "_note")
    )
    return adjusted.select(scores.columns), log


def adjust_rewards(
    rewards: pl.DataFrame, adjustments: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, dict[str, object]]]:
    """The reward lines with each accepted `set_reward` applied to `amount` (0 cancels the line;
    `amount_before_cap` and `cap` stay), and per adjustment id what it did."""
    log: dict[str, dict[str, object]] = {}
    accepted = _accepted(adjustments, "set_reward")
    if accepted.is_empty():
        return rewards, log
    keyed = rewards.with_columns(reward_line_key().alias("_key"))
    keys = keyed["_key"].to_list()
    amounts: dict[int, Decimal] = {}
    for row in accepted.iter_rows(named=True):
        target = row["target"] or ""
        positions = [i for i, key in enumerate(keys) if key == target]
        amount = parse_amount(row["value"])
        if len(positions) != 1 or amount is None:
            problem = (
                f"对象不存在，未执行：本年度无奖补条目 {target} / target not found"
                if not positions
                else f"对象不唯一，未执行：{target} 对应 {len(positions)} 条奖补条目 / "
                "ambiguous target"
            )
            log[row["adjustment_id"]] = {
                "applied": False,
                "old_value": None,
                "new_value": _amount_text(amount) if amount is not None else row["value"],
                "effect_zh": problem,
            }
            continue
        (position,) = positions
        old = Decimal(str(keyed["amount"][position] or 0))
        amounts[position] = amount
        effect = (
            f"奖补条目 {target}：取消该奖补条目（金额调整为 0，原 {_amount_text(old)} 万元）"
            if amount == 0
            else f"奖补条目 {target}：金额由 {_amount_text(old)} 万元调整为"
            f" {_amount_text(amount)} 万元"
        )
        log[row["adjustment_id"]] = {
            "applied": True,
            "old_value": _amount_text(old),
            "new_value": _amount_text(amount),
            "effect_zh": effect + "；封顶前金额与封顶额不变",
            "carrier_id": row["carrier_id"],
            "_positions": positions,
        }
    if not amounts:
        return rewards, log
    dtype = rewards.schema["amount"]
    new_amount = pl.Series(
        "amount",
        [amounts.get(i, value) for i, value in enumerate(rewards["amount"].to_list())],
        dtype=pl.Decimal(38, 18),
    ).cast(dtype)
    return rewards.with_columns(new_amount), log


def _ids_frame(pairs: list[tuple[tuple, str]], keys: list[str]) -> pl.DataFrame:
    schema = {k: S for k in keys} | {IDS: S}
    if not pairs:
        return pl.DataFrame(schema=schema)
    rows = [(*key, adj_id) for key, adj_id in pairs]
    return (
        pl.DataFrame(rows, schema=schema, orient="row")
        .unique()
        .sort([*keys, IDS])
        .group_by(keys, maintain_order=True)
        .agg(pl.col(IDS).str.join(","))
    )


def _with_ids(frame: pl.DataFrame, pairs: list[tuple[tuple, str]], keys: list[str]) -> pl.DataFrame:
    ids = _ids_frame(pairs, keys)
    base = frame.drop(IDS) if IDS in frame.columns else frame
    cast = [pl.col(k).cast(S) for k in keys]
    joined = (
        base.with_row_index("_order")
        .with_columns([c.alias(f"_k{i}") for i, c in enumerate(cast)])
        .join(
            ids.rename({k: f"_k{i}" for i, k in enumerate(keys)}),
            on=[f"_k{i}" for i in range(len(keys))],
            how="left",
            nulls_equal=True,
        )
        .sort("_order")
    )
    return joined.select([*base.columns, IDS])


def mark_adjusted_rows(
    frames: dict[str, pl.DataFrame],
    adjustments: pl.DataFrame,
    grade_log: dict[str, dict[str, object]],
    reward_log: dict[str, dict[str, object]],
    actions_before: pl.DataFrame | None,
) -> dict[str, pl.DataFrame]:
    """Add `adjustment_ids` (comma-separated, NULL when none) to carrier_scores, score_details,
    rewards, carrier_actions and tenant_clearout: the adjustments that acted on each row."""
    rows = adjustments.filter(
        pl.col("kind").is_in(ROW_KINDS) & (pl.col("status") == "accepted") & pl.col("applied")
    )
    score_pairs: list[tuple[tuple, str]] = []
    detail_pairs: list[tuple[tuple, str]] = []
    tenant_pairs: list[tuple[tuple, str]] = []
    reward_carriers: list[tuple[tuple, str]] = []
    codes = frames["score_details"].select("carrier_id", "indicator_code").unique()
    for row in rows.iter_rows(named=True):
        carrier, adj_id, dataset = row["carrier_id"], row["adjustment_id"], row["dataset"]
        if carrier is None:
            continue
        score_pairs.append(((carrier,), adj_id))
        feeds = DATASET_INDICATORS.get(dataset or "", ())
        for code in codes.filter(pl.col("carrier_id") == carrier)["indicator_code"].to_list():
            if feeds is None or code in feeds:
                detail_pairs.append(((carrier, code), adj_id))
        if dataset == "tenants" and row["uscc"]:
            tenant_pairs.append(((carrier, row["uscc"]), adj_id))
        if dataset in DATASETS_FEEDING_REWARDS:
            reward_carriers.append(((carrier,), adj_id))
    for adj_id, info in grade_log.items():
        if info["applied"]:
            score_pairs.append(((info["carrier_id"],), adj_id))

    out = dict(frames)
    out["carrier_scores"] = _with_ids(frames["carrier_scores"], score_pairs, ["carrier_id"])
    out["score_details"] = _with_ids(
        frames["score_details"], detail_pairs, ["carrier_id", "indicator_code"]
    )
    out["tenant_clearout"] = _with_ids(
        frames["tenant_clearout"], tenant_pairs, ["carrier_id", "uscc"]
    )

    # actions: a row that differs from what the unadjusted grades gave carries the set_grade id
    actions = frames["carrier_actions"]
    action_pairs: list[tuple[tuple, str]] = []
    if actions_before is not None:
        compare = [c for c in ("carrier_id", "action", "reason_codes") if c in actions.columns]
        unchanged = actions.join(actions_before.select(compare), on=compare, how="semi")
        changed = set(actions["carrier_id"].to_list()) - set(unchanged["carrier_id"].to_list())
        for adj_id, info in grade_log.items():
            if info["applied"] and info["carrier_id"] in changed:
                action_pairs.append(((info["carrier_id"],), adj_id))
    out["carrier_actions"] = _with_ids(actions, action_pairs, ["carrier_id"])

    rewards = frames["rewards"].with_row_index("_line")
    reward_pairs: list[tuple[tuple, str]] = [
        ((str(i),), adj_id)
        for adj_id, info in reward_log.items()
        for i in info.get("_positions", [])  # type: ignore[union-attr]
    ]
    by_carrier = {c[0] for c, _ in reward_carriers}
    for line, carrier in rewards.select("_line", "carrier_id").iter_rows():
        if carrier in by_carrier:
            reward_pairs += [((str(line),), a) for (c,), a in reward_carriers if c == carrier]
    out["rewards"] = _with_ids(
        rewards.with_columns(pl.col("_line").cast(S)), reward_pairs, ["_line"]
    ).drop("_line")
    return out


def _pending_effect(status: str | None) -> str:
    if status == "pending":
        return "待定，未执行 / pending: not applied"
    if status == "rejected":
        return "已驳回，未执行 / rejected: not applied"
    return "未执行 / not applied"


def adjustment_rows(
    adjustments: pl.DataFrame,
    year: int,
    logs: dict[str, dict[str, object]],
) -> pl.DataFrame:
    """`results.adjustments`: every row of the file, in the file's order, with what it did."""
    records = []
    for row in adjustments.iter_rows(named=True):
        info = logs.get(row["adjustment_id"], {})
        accepted = row["status"] == "accepted"
        if row["kind"] in ROW_KINDS:
            applied = bool(accepted and row["applied"])
            old_value = row["old_value"]
            new_value = row["value"] if row["kind"] == "set_value" else None
            effect = row["effect_zh"] if accepted else _pending_effect(row["status"])
        elif accepted and info:
            applied = bool(info["applied"])
            old_value = info["old_value"]  # type: ignore[assignment]
            new_value = info["new_value"]  # type: ignore[assignment]
            effect = info["effect_zh"]  # type: ignore[assignment]
        else:
            applied = False
            old_value = None
            new_value = row["value"]
            if row["kind"] == "set_reward":
                amount = parse_amount(row["value"])
                new_value = _amount_text(amount) if amount is not None else row["value"]
            elif row["kind"] == "set_grade" and row["value"]:
                new_value = row["value"].strip().upper()
            effect = _pending_effect(row["status"])
        records.append(
            {
                "assessment_year": year,
                "adjustment_id": row["adjustment_id"],
                "kind": row["kind"],
                "target": row["target"],
                "field": row["field"],
                "old_value": old_value,
                "new_value": new_value,
                "reason": row["reason"],
                "approved_by": row["approved_by"],
                "approved_on": row["approved_on"],
                "status": row["status"],
                "source": row["source"],
                "applied": applied,
                "effect_zh": effect,
                "carrier_id": row["carrier_id"]
                or info.get("carrier_id")
                or (row["target"] if row["kind"] == "set_grade" else None),
                "dataset": row["dataset"],
                "file_row": row["file_row"],
            }
        )
    return pl.DataFrame(records, schema=ADJUSTMENT_OUTPUT, orient="row")


def apply_adjustments(
    frames: dict[str, pl.DataFrame],
    adjustments: pl.DataFrame,
    year: int,
    actions_for: Callable[[pl.DataFrame], pl.DataFrame],
) -> dict[str, pl.DataFrame]:
    """The scored year with the office's decisions applied and marked, plus `adjustments`.

    `frames` holds carrier_scores as graded (after the A cap) and the other tables; `actions_for`
    derives carrier_actions from a carrier_scores frame, so the actions follow adjusted grades.
    """
    adjustments = conform_adjustments(adjustments)
    scores, grade_log = adjust_grades(frames["carrier_scores"], adjustments)
    out = dict(frames)
    out["carrier_scores"] = scores
    actions_before = None
    if any(info["applied"] for info in grade_log.values()):
        actions_before = frames["carrier_actions"]
        out["carrier_actions"] = actions_for(scores)
    out["rewards"], reward_log = adjust_rewards(frames["rewards"], adjustments)
    out = mark_adjusted_rows(out, adjustments, grade_log, reward_log, actions_before)
    out["adjustments"] = adjustment_rows(adjustments, year, grade_log | reward_log)
    return out
