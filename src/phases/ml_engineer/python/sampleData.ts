import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { featureContract } from '../../common.js';
import type { MlPlan } from '../derive.js';

/**
 * ml/src/<pkg>/sample_data.py: a deterministic, seeded generator of rows with the spec's declared features, entity
 * key, event time and a target that depends on the features learnably (per problem type). Tests, the demo and
 * `python -m <pkg>.training --sample N` train on it. Spec values enter only through pyLiteral.
 */
export function sampleDataPy(spec: ResolvedSpec, plan: MlPlan): string {
  const features = spec.data.features.map((f) => ({ name: f.name, ...featureContract(f) }));
  return String.raw`"""Deterministic sample rows for ${plan.pkg}: every declared feature inside its declared range or categories,
missing values at 5 % where a feature is nullable, and a target the features explain.

Per problem type: binary (logistic of the features, 10-30 % positives), multiclass (3 ordered classes), regression,
ranking (entity key = query id, ~20 rows per query, graded relevance 0-4), forecasting (one daily series per entity
with trend and weekly seasonality), anomaly_detection (5 % labelled outliers, 2-3 standard deviations high on every numeric input at once) and
recommendation (entity key = user id, ~60 candidate rows per user, interaction 0/1 with a latent user taste).

python -m ${plan.pkg}.sample_data --rows 2000 --seed 7 --out sample.csv
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Mapping, Sequence

PROBLEM_TYPE: str = ${pyLiteral(spec.problem.type)}
TARGET: str = ${pyLiteral(spec.problem.target)}
ENTITY_KEY: str = ${pyLiteral(spec.data.entity_key)}
EVENT_TIMESTAMP: str = ${pyLiteral(spec.data.event_timestamp)}
POSITIVE_RATE: float | None = ${pyLiteral(spec.problem.positive_rate ?? null)}
FEATURES: list[dict[str, Any]] = ${pyLiteral(features as unknown as PyValue)}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
POSITIVE_WORDS = ("urgent", "refund", "invoice", "overdue")
NEGATIVE_WORDS = ("thanks", "meeting", "lunch", "weekly")
NEUTRAL_WORDS = ("alpha", "beta", "gamma", "delta", "report", "update")
MISSING_RATE = 0.05
START = "2024-01-01"
INFORMATIVE_INPUTS = 12


def _rows_per_group() -> int:
    return {"ranking": 20, "recommendation": 60}.get(PROBLEM_TYPE, 0)


def _bounds(f: Mapping[str, Any]) -> tuple[float, float]:
    low, high = f.get("min"), f.get("max")
    if low is None and high is None:
        return 0.0, 1000.0
    if low is None:
        return float(high) - 1000.0, float(high)
    if high is None:
        return float(low), float(low) + 1000.0
    return float(low), float(high)


def _wide(low: float, high: float) -> bool:
    """Ranges over several orders of magnitude are drawn skewed (most values small), like amounts and counts."""
    return low >= 0 and high - low >= 1000


def _coefficients(rng: Any) -> dict[str, float]:
    """Effect of each model input on the latent score; protected attributes have none. Only the first
    INFORMATIVE_INPUTS model inputs carry signal: spread over a hundred inputs, each effect would be too weak for a
    model trained on a few thousand sample rows to recover, and its direction test would be noise."""
    out: dict[str, float] = {}
    informative = 0
    for i, f in enumerate(FEATURES):
        if f.get("protected") or informative >= INFORMATIVE_INPUTS:
            out[f["name"]] = 0.0
            continue
        informative += 1
        magnitude = 1.5 if i < 3 else 0.8
        out[f["name"]] = float(magnitude * rng.choice([-1.0, 1.0]))
    return out


def directions(seed: int = 7) -> dict[str, int]:
    """Sign of each numeric/integer/boolean feature's effect on the target (what a learned model must keep)."""
    import numpy as np

    coefficients = _coefficients(np.random.default_rng(seed))
    out: dict[str, int] = {}
    for f in FEATURES:
        if f["type"] not in ("numeric", "integer", "boolean"):
            continue
        if PROBLEM_TYPE == "anomaly_detection":
            # Outliers sit at the top of the numeric ranges: higher values score as more anomalous; flags carry nothing.
            out[f["name"]] = 0 if f.get("protected") or f["type"] == "boolean" else 1
        else:
            out[f["name"]] = 0 if coefficients[f["name"]] == 0 else (1 if coefficients[f["name"]] > 0 else -1)
    return out


def _entities(rows: int) -> tuple[Any, Any]:
    """Entity index and day offset per row: one daily series per entity (forecasting), groups of ~20 candidate rows
    per query/user (ranking, recommendation), otherwise 97 entities spread over 90 days."""
    import numpy as np

    index = np.arange(rows)
    if PROBLEM_TYPE == "forecasting":
        entities = max(2, min(50, rows // 60))
        return index % entities, index // entities
    if _rows_per_group():
        return index // _rows_per_group(), (index * 90) // max(1, rows)
    return index % 97, (index * 90) // max(1, rows)


def generate(rows: int = 2000, seed: int = 7) -> Any:
    """A pandas.DataFrame with the entity key, event timestamp, every declared feature and a learnable target."""
    import numpy as np
    import pandas as pd

    if rows < 1:
        raise ValueError("generate() needs at least one row")
    rng = np.random.default_rng(seed)
    coefficients = _coefficients(np.random.default_rng(seed))
    entity, day = _entities(rows)
    seconds = rng.integers(0, 86_400, size=rows) if PROBLEM_TYPE != "forecasting" else np.zeros(rows, dtype=int)
    timestamps = pd.Timestamp(START, tz="UTC") + pd.to_timedelta(day, unit="D") + pd.to_timedelta(seconds, unit="s")
    weekday = timestamps.dayofweek.to_numpy()
    anomalous = rng.random(rows) < 0.05 if PROBLEM_TYPE == "anomaly_detection" else np.zeros(rows, dtype=bool)
    data: dict[str, Any] = {ENTITY_KEY: [f"e{k}" for k in entity], EVENT_TIMESTAMP: timestamps}
    score = np.zeros(rows)
    for f in FEATURES:
        name, kind = f["name"], f["type"]
        if kind in ("numeric", "integer"):
            low, high = _bounds(f)
            if PROBLEM_TYPE == "anomaly_detection":
                # Normal inputs vary independently around 0.35; an outlier is 2-3 standard deviations high on every
                # numeric input at once (each value alone is unremarkable, together they are rare).
                u = rng.normal(0.35, 0.08, rows)
                if not f.get("protected"):
                    u = np.where(anomalous, 0.35 + 0.08 * rng.uniform(2.0, 3.0, rows), u)
                u = np.clip(u, 0.0, 1.0)
            else:
                u = rng.random(rows)
            values = low + (high - low) * (u**4 if _wide(low, high) else u)
            signal = 2 * u - 1
            column: Any = np.round(values).astype("int64") if kind == "integer" else np.round(values, 4)
        elif kind == "categorical":
            categories = list(f.get("categories") or ["a", "b", "c"])
            if {c.lower() for c in categories} <= set(WEEKDAYS) and len(categories) == 7:
                by_day = {c.lower(): c for c in categories}
                column = np.array([by_day[WEEKDAYS[d]] for d in weekday], dtype=object)
                pick = np.array([categories.index(c) for c in column])
            else:
                weights = np.ones(len(categories))
                if PROBLEM_TYPE == "anomaly_detection" and len(categories) > 1:
                    weights[-1] = 0.02
                pick = rng.choice(len(categories), size=rows, p=weights / weights.sum())
                column = np.array(categories, dtype=object)[pick]
            effects = np.linspace(-1.0, 1.0, len(categories)) if len(categories) > 1 else np.zeros(1)
            signal = effects[pick]
        elif kind == "boolean":
            flags = rng.random(rows) < 0.5
            column, signal = flags, np.where(flags, 1.0, -1.0)
        elif kind == "text":
            vocabulary = POSITIVE_WORDS + NEGATIVE_WORDS + NEUTRAL_WORDS
            words = rng.choice(len(vocabulary), size=(rows, 8))
            column = np.array([" ".join(vocabulary[w] for w in row) for row in words], dtype=object)
            positives = (words < len(POSITIVE_WORDS)).sum(axis=1)
            negatives = ((words >= len(POSITIVE_WORDS)) & (words < len(POSITIVE_WORDS) + len(NEGATIVE_WORDS))).sum(axis=1)
            signal = np.clip((positives - negatives) / 3.0, -1.0, 1.0)
        else:  # timestamp: a moment before the event; the signal is the hour of day
            offsets = pd.to_timedelta(rng.integers(0, 30 * 86_400, size=rows), unit="s")
            moments = timestamps - offsets
            column = moments
            signal = np.cos(2 * np.pi * moments.hour.to_numpy() / 24.0)
        score += coefficients[name] * signal
        if f.get("nullable"):
            missing = rng.random(rows) < MISSING_RATE
            if kind == "numeric":
                column = np.where(missing, np.nan, column)
            elif kind == "integer":
                column = pd.array(np.where(missing, 0, column), dtype="Int64")
                column[missing] = pd.NA
            elif kind == "timestamp":
                column = pd.Series(column).mask(missing)
            else:
                column = pd.Series(column, dtype=object).mask(missing, None)
        data[name] = column
    spread = score.std() or 1.0
    z = (score - score.mean()) / spread
    data[TARGET] = _target(z, entity, day, weekday, anomalous, rng)
    return pd.DataFrame(data)


def _target(z: Any, entity: Any, day: Any, weekday: Any, anomalous: Any, rng: Any) -> Any:
    import numpy as np

    rows = len(z)
    noise = rng.normal(0.0, 1.0, rows)
    if PROBLEM_TYPE in ("binary_classification", "recommendation"):
        rate = POSITIVE_RATE if POSITIVE_RATE is not None else 0.2
        rate = min(0.3, max(0.1, rate))
        logit = 3.0 * z
        if PROBLEM_TYPE == "recommendation":
            # Latent structure: each user prefers a part of the latent score space.
            taste = rng.normal(0.0, 1.0, int(entity.max()) + 1)
            logit = logit + 1.5 * taste[entity] * np.sign(z)
        low, high = -20.0, 20.0
        for _ in range(60):  # intercept giving the wanted positive rate
            middle = (low + high) / 2
            if (1 / (1 + np.exp(-(logit + middle)))).mean() > rate:
                high = middle
            else:
                low = middle
        probability = 1 / (1 + np.exp(-(logit + low)))
        return (rng.random(rows) < probability).astype("int64")
    if PROBLEM_TYPE == "multiclass_classification":
        noisy = z + 0.3 * noise
        return np.digitize(noisy, np.quantile(noisy, [0.4, 0.75])).astype("int64")
    if PROBLEM_TYPE == "ranking":
        noisy = z + 0.4 * noise
        return np.digitize(noisy, np.quantile(noisy, [0.5, 0.75, 0.9, 0.97])).astype("int64")
    if PROBLEM_TYPE == "forecasting":
        level = 100.0 + 5.0 * rng.standard_normal(int(entity.max()) + 1)
        weekly = np.array([0.0, 2.0, 3.0, 4.0, 6.0, -6.0, -9.0])
        return np.round(np.maximum(1.0, level[entity] + 0.05 * day + weekly[weekday] + 40.0 * z + 3.0 * noise), 3)
    if PROBLEM_TYPE == "anomaly_detection":
        return anomalous.astype("int64")
    return np.round(np.maximum(1.0, 100.0 + 25.0 * z + 5.0 * noise), 3)


def rows(n: int = 2000, seed: int = 7) -> list[dict[str, Any]]:
    """generate() as a list of dicts (timestamps as ISO strings, missing values as None)."""
    import pandas as pd

    frame = generate(max(n, 50), seed).head(n)  # small n: the first rows of a frame large enough for the target
    out = []
    for record in frame.to_dict(orient="records"):
        row = {}
        for key, value in record.items():
            try:
                missing = value is None or bool(pd.isna(value))
            except (TypeError, ValueError):
                missing = False
            if missing:
                value = None
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif hasattr(value, "item"):
                value = value.item()
            row[key] = value
        out.append(row)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=__name__, description="Write deterministic sample rows with a learnable target")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default="-", help="CSV (or .parquet) file; - for stdout")
    args = parser.parse_args(argv)
    frame = generate(args.rows, args.seed)
    if args.out == "-":
        frame.to_csv(sys.stdout, index=False)
    elif args.out.endswith(".parquet"):
        frame.to_parquet(args.out, index=False)
    else:
        frame.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
