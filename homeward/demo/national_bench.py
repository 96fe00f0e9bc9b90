"""The national-scale benchmark: the weekly datasets and the measures computed by Homeward on the
database, beside the same results computed by a straightforward baseline — pandas over the episode
export (`homeward export episodes`) — with a check that both give the same answer.

The baseline is what an analyst would write: load the export, filter, group, sort. Its times exclude
the export and the CSV load (printed once, separately), so the ratio compares computing with computing.
It covers what the export holds; prevention interviews, return interviews and initiatives are not in
the export, so those three measures have no baseline.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings

from homeward.insights import weekly
from homeward.insights.export import write_episodes_csv
from homeward.insights.measures import measures_for
from homeward.insights.periods import AgeGroup, Period, between, last_weeks, month_to_date, quarter
from homeward.places.models import CARE_SETTING_CATEGORIES, MEDICAL_CATEGORIES

TARGET_SECONDS = 2.0


@dataclass
class Timed:
    label: str
    ours_seconds: float
    baseline_seconds: float | None
    same_result: bool | None
    rows: int

    @property
    def ratio(self) -> float | None:
        if self.baseline_seconds is None or not self.ours_seconds:
            return None
        return self.baseline_seconds / self.ours_seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "ours_median_s": round(self.ours_seconds, 4),
            "baseline_median_s": None if self.baseline_seconds is None else round(self.baseline_seconds, 4),
            "baseline_over_ours": None if self.ratio is None else round(self.ratio, 2),
            "same_result": self.same_result,
            "rows": self.rows,
            "target_s": TARGET_SECONDS,
        }


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


# --- The baseline ------------------------------------------------------------------------------------

_COLUMNS = [
    "episode_id",
    "person_id",
    "reported_at",
    "found_at",
    "status",
    "missing_from_category",
    "is_child",
    "looked_after",
    "risk_level_first",
]


def export_episodes(path: Path) -> tuple[float, int]:
    began = time.perf_counter()
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = write_episodes_csv(handle)
    return time.perf_counter() - began, rows


def load_export(path: Path) -> tuple[float, pd.DataFrame]:
    began = time.perf_counter()
    df = pd.read_csv(
        path,
        usecols=_COLUMNS,
        dtype={
            "status": "category",
            "missing_from_category": "category",
            "risk_level_first": "category",
            "is_child": "string",
            "looked_after": "string",
        },
        keep_default_na=False,
        na_values={"found_at": [""]},
    )
    df["reported_at"] = pd.to_datetime(df["reported_at"], format="ISO8601", utc=True)
    df["found_at"] = pd.to_datetime(df["found_at"], format="ISO8601", utc=True)
    df["is_child"] = df["is_child"].map({"true": True, "false": False, "": None})
    df["looked_after"] = df["looked_after"] == "true"
    return time.perf_counter() - began, df


def _ts(moment: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(moment)


def _recorded(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"] != "not_recorded"]


def _in(df: pd.DataFrame, period: Period) -> pd.DataFrame:
    return df[(df["reported_at"] >= _ts(period.start)) & (df["reported_at"] < _ts(period.end))]


def _group(df: pd.DataFrame, group: AgeGroup) -> pd.DataFrame:
    if group is AgeGroup.CHILD:
        return df[df["is_child"] == True]  # noqa: E712 - a column of True / False / None
    if group is AgeGroup.ADULT:
        return df[df["is_child"] == False]  # noqa: E712
    return df[df["is_child"].isna()]


def pandas_most_frequent(
    df: pd.DataFrame, as_of: dt.date, weeks: int, group: AgeGroup
) -> list[tuple[int, int]]:
    """(person_id, episodes) in rank order: most episodes, then latest report, then person id."""
    window = _group(_in(_recorded(df), last_weeks(as_of, weeks)), group)
    per_person = window.groupby("person_id").agg(
        episodes=("episode_id", "size"), latest=("reported_at", "max")
    )
    per_person = per_person.reset_index().sort_values(
        ["episodes", "latest", "person_id"], ascending=[False, False, True]
    )
    return list(zip(per_person["person_id"].tolist(), per_person["episodes"].tolist(), strict=True))


def pandas_first_time_children(df: pd.DataFrame, as_of: dt.date) -> set[int]:
    recorded = _recorded(df).sort_values(["reported_at", "episode_id"])
    first = recorded.drop_duplicates("person_id", keep="first")
    first = _in(first, month_to_date(as_of))
    return set(first[first["is_child"] == True]["episode_id"].tolist())  # noqa: E712


def pandas_looked_after(df: pd.DataFrame, as_of: dt.date) -> set[int]:
    window = _in(_recorded(df), last_weeks(as_of, 12))
    hit = (
        window["looked_after"]
        & window["missing_from_category"].isin(sorted(CARE_SETTING_CATEGORIES))
        & (window["is_child"] != False)  # noqa: E712
    )
    return set(window[hit]["episode_id"].tolist())


def pandas_medical(df: pd.DataFrame, as_of: dt.date) -> set[int]:
    window = _in(_recorded(df), last_weeks(as_of, 12))
    return set(
        window[window["missing_from_category"].isin(sorted(MEDICAL_CATEGORIES))]["episode_id"].tolist()
    )


def pandas_measures(df: pd.DataFrame, period: Period, now: dt.datetime) -> dict[str, Any]:
    """The measures the export can answer, force-wide, as measures.py defines them."""
    recorded = _recorded(df)
    cur = _in(recorded, period)
    end = _ts(min(period.end, now))
    open_ = cur["status"].isin(["reported", "active", "long_term"])
    too_recent = open_ & (cur["reported_at"] > end - pd.Timedelta(hours=24))
    counted = cur[~too_recent]
    found_24 = counted["found_at"].notna() & (
        counted["found_at"] <= counted["reported_at"] + pd.Timedelta(hours=24)
    )
    graded = cur[cur["risk_level_first"] != ""]

    # Repeat: another recorded episode of the same person strictly earlier, within 365 days. The latest
    # strictly earlier report is the previous distinct report time of that person.
    times = recorded[["person_id", "reported_at"]].drop_duplicates().sort_values(["person_id", "reported_at"])
    times["previous"] = times.groupby("person_id")["reported_at"].shift(1)
    with_previous = cur.merge(times, on=["person_id", "reported_at"], how="left")
    repeat_window = pd.Timedelta(days=settings.HOMEWARD_REPEAT_WINDOW_DAYS)
    repeats = int((with_previous["previous"] >= with_previous["reported_at"] - repeat_window).sum())

    # Persistent: at some report in the period, N recorded episodes in the 90 days up to it, that one
    # included. Counting per report time: episodes of the person reported at or before it.
    n = settings.HOMEWARD_PERSISTENT_EPISODES
    ordered = recorded[["person_id", "reported_at"]].sort_values(["person_id", "reported_at"])
    per_time = ordered.groupby(["person_id", "reported_at"]).size().rename("at_time").reset_index()
    per_time["upto"] = per_time.groupby("person_id")["at_time"].cumsum()
    # The count in [t - 90 days, t] is upto(t) minus upto(latest time before t - 90 days).
    window = pd.Timedelta(days=settings.HOMEWARD_PERSISTENT_WINDOW_DAYS)
    per_time["cut"] = per_time["reported_at"] - window
    shifted = per_time.rename(columns={"reported_at": "cut_time", "upto": "before"})[
        ["person_id", "cut_time", "before"]
    ].sort_values("cut_time")
    probe = per_time.sort_values("cut")
    joined = pd.merge_asof(
        probe,
        shifted,
        left_on="cut",
        right_on="cut_time",
        by="person_id",
        allow_exact_matches=False,
        direction="backward",
    )
    joined["in_window"] = joined["upto"] - joined["before"].fillna(0)
    persistent_times = joined[joined["in_window"] >= n][["person_id", "reported_at"]]
    persistent_people = cur.merge(persistent_times, on=["person_id", "reported_at"])["person_id"].nunique()

    return {
        "episodes": len(cur),
        "individuals": int(cur["person_id"].nunique()),
        "found_within_24h": (int(found_24.sum()), len(counted)),
        "repeat_episodes": repeats,
        "persistent_people": int(persistent_people),
        "high_risk": (int((graded["risk_level_first"] == "high").sum()), len(graded)),
    }


def _ours_measures_summary(measures: dict[str, Any]) -> dict[str, Any]:
    return {
        "episodes": measures["episodes"],
        "individuals": measures["individuals"],
        "found_within_24h": (
            measures["found_within_24h"]["numerator"],
            measures["found_within_24h"]["denominator"],
        ),
        "repeat_episodes": measures["repeat_episodes"],
        "persistent_people": measures["persistent_people"],
        "high_risk": (measures["high_risk"]["numerator"], measures["high_risk"]["denominator"]),
    }


# --- The run -----------------------------------------------------------------------------------------


def _measure_periods(as_of: dt.date) -> dict[str, tuple[str, Period]]:
    """The last complete calendar quarter (the usual reporting period) and the 12 months to D, each
    with its previous equivalent period, as the measures page shows them."""
    number = (as_of.month - 1) // 3  # the quarter before the current one: 0 means Q4 of last year
    year = as_of.year if number else as_of.year - 1
    last_quarter = quarter(year, number or 4)
    return {
        "measures_quarter": (
            f"Measures, {last_quarter} and the quarter before (baseline: the 6 of 9 the export holds)",
            last_quarter,
        ),
        "measures_year": (
            "Measures, 12 months to D and the 12 months before (baseline: the same 6)",
            between(as_of - dt.timedelta(days=364), as_of),
        ),
    }


def run_national_bench(
    *, as_of: dt.date, now: dt.datetime, export_path: Path, repeat: int, say: Callable[[str], None]
) -> dict[str, Any]:
    results: list[Timed] = []

    say("Timing Homeward's reports on the database…")
    ours: dict[str, tuple[float, Any]] = {}

    def most_frequent_lists() -> dict[str, list[Any]]:
        lists = weekly.most_frequently_missing_lists(as_of, (3, 12), tuple(AgeGroup))
        return {f"{weeks}w_{group.value}": rows for (weeks, group), rows in lists.items()}

    ours["most_frequent"] = median_time(most_frequent_lists, repeat)
    ours["first_time"] = median_time(lambda: weekly.first_time_missing_children(as_of), repeat)
    ours["looked_after"] = median_time(lambda: weekly.looked_after_care_settings(as_of), repeat)
    ours["medical"] = median_time(lambda: weekly.medical_settings(as_of), repeat)
    ours["all_weekly"] = median_time(lambda: weekly.weekly_datasets(as_of), repeat)
    measure_periods = _measure_periods(as_of)
    for key, (_label, period) in measure_periods.items():
        ours[key] = median_time(lambda p=period: measures_for(p.first, p.last, now=now), repeat)  # type: ignore[misc]

    say("Exporting every episode for the baseline…")
    export_seconds, export_rows = export_episodes(export_path)
    say(f"  {export_rows:,} rows in {export_seconds:.1f} s")
    load_seconds, df = load_export(export_path)
    say(f"  loaded into pandas in {load_seconds:.1f} s")

    say("Timing the pandas baseline…")

    def pandas_lists() -> dict[str, list[tuple[int, int]]]:
        return {
            f"{weeks}w_{group.value}": pandas_most_frequent(df, as_of, weeks, group)
            for weeks in (3, 12)
            for group in AgeGroup
        }

    base_mf = median_time(pandas_lists, repeat)
    ours_mf = {k: [(r.person_id, r.episodes) for r in rows] for k, rows in ours["most_frequent"][1].items()}
    results.append(
        Timed(
            "Weekly 1: most frequently missing (3 and 12 weeks × children, adults, age unknown)",
            ours["most_frequent"][0],
            base_mf[0],
            ours_mf == base_mf[1],
            sum(len(v) for v in ours_mf.values()),
        )
    )
    for key, label, fn in (
        ("first_time", "Weekly 2: first-time missing children, month to date", pandas_first_time_children),
        ("looked_after", "Weekly 3: looked-after children from care settings, 12 weeks", pandas_looked_after),
        ("medical", "Weekly 4: missing from hospitals and medical settings, 12 weeks", pandas_medical),
    ):
        seconds, rows = ours[key]
        base_seconds, base_ids = median_time(lambda fn=fn: fn(df, as_of), repeat)  # type: ignore[misc]
        results.append(
            Timed(label, seconds, base_seconds, {r.episode_id for r in rows} == base_ids, len(rows))
        )
    seconds, data = ours["all_weekly"]
    results.append(Timed("All four weekly datasets together", seconds, None, None, data.row_count()))

    for key, (label, period) in measure_periods.items():
        seconds, measures = ours[key]

        def pandas_both(period: Period = period) -> tuple[dict[str, Any], dict[str, Any]]:
            return pandas_measures(df, period, now), pandas_measures(df, period.previous(), now)

        base_seconds, (base_cur, base_prev) = median_time(pandas_both, repeat)
        ours_cur, ours_prev = _ours_measures_summary(measures), _ours_measures_summary(measures["previous"])
        same = ours_cur == base_cur and ours_prev == base_prev
        results.append(Timed(label, seconds, base_seconds, same, measures["episodes"]))
        if not same:
            say(f"  {label}: ours {ours_cur} / {ours_prev}; pandas {base_cur} / {base_prev}")
    return {
        "as_of": as_of.isoformat(),
        "episodes_in_database": export_rows,
        "export_seconds": round(export_seconds, 2),
        "pandas_load_seconds": round(load_seconds, 2),
        "results": [r.as_dict() for r in results],
    }
