import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { MICRO_BATCH_MINUTES, NULLABLE_NULL_CEILING_PCT, type DataPlan, type GateAction, type SourcePlan } from '../derive.js';
import { expectedRowsPerRun, initialVolumeBounds, mergeKeys, sourceColumns, type Column } from './columns.js';

// Great Expectations suites (data/expectations/<source>.json) derived from the same typed columns as the JSON
// Schemas and the pydantic models, and ml/src/<pkg>/data/expectations.py: the runner applying those files with
// great_expectations when importable, with its own pandas implementation otherwise.

export interface Expectation {
  expectation_type: string;
  kwargs: Record<string, unknown>;
  meta: { gate?: string; action: GateAction; [k: string]: unknown };
}

export interface ExpectationSuite {
  expectation_suite_name: string;
  data_asset_type: 'Dataset';
  expectations: Expectation[];
  meta: Record<string, unknown>;
}

/** Every expectation type a suite may contain; the runner implements each (a generated test proves it). */
export const EXPECTATION_TYPES = [
  'expect_column_to_exist',
  'expect_column_values_to_not_be_null',
  'expect_column_values_to_be_in_type_list',
  'expect_column_values_to_be_dateutil_parseable',
  'expect_column_values_to_be_between',
  'expect_column_values_to_be_in_set',
  'expect_compound_columns_to_be_unique',
  'expect_table_row_count_to_be_between',
  'expect_column_max_to_be_between',
] as const;

/** Parameter the runner (or GE's evaluation parameters) sets to now minus the source's freshness bound. */
export const FRESHNESS_PARAMETER = 'freshness_cutoff';

function typeList(c: Column): string[] | undefined {
  const kind = c.kind === 'label' ? (c.labelType === 'string' ? 'text' : c.labelType === 'integer' ? 'integer' : 'numeric') : c.kind;
  switch (kind) {
    case 'key':
      return ['int', 'int64', 'int32', 'str', 'string'];
    case 'numeric':
      return ['float', 'float64', 'float32', 'int', 'int64', 'int32', 'Float64', 'Int64'];
    case 'integer':
      // A nullable integer column holding a missing value is float64 in pandas.
      return c.nullable ? ['int', 'int64', 'int32', 'Int64', 'float64'] : ['int', 'int64', 'int32', 'Int64'];
    case 'boolean':
      return ['bool', 'boolean'];
    case 'categorical':
    case 'text':
      return ['str', 'string'];
    default:
      return undefined;
  }
}

function mostly(pct: number): Record<string, number> {
  const m = Math.round((1 - pct / 100) * 1e9) / 1e9;
  return m < 1 ? { mostly: m } : {};
}

/** The expectation suite of one source: the quality gates of data/contracts/quality_gates.yaml as GE expectations. */
export function expectationSuite(spec: ResolvedSpec, plan: DataPlan, s: SourcePlan): ExpectationSuite {
  const issuePct = plan.quality.max_issue_rate_pct;
  const columns = sourceColumns(spec, plan, s);
  const out: Expectation[] = [];
  for (const c of columns) out.push({ expectation_type: 'expect_column_to_exist', kwargs: { column: c.name }, meta: { gate: `schema_${s.name}`, action: 'block' } });
  for (const c of columns) {
    if (c.kind === 'label') continue; // labels arrive late: a missing label is expected
    if (c.nullable) {
      out.push({ expectation_type: 'expect_column_values_to_not_be_null', kwargs: { column: c.name, ...mostly(NULLABLE_NULL_CEILING_PCT) }, meta: { gate: `null_rate_${c.name}`, action: 'warn' } });
    } else {
      const gate = c.kind === 'key' || c.kind === 'timestamp' ? `schema_${s.name}` : `not_null_${c.name}`;
      out.push({ expectation_type: 'expect_column_values_to_not_be_null', kwargs: { column: c.name, ...mostly(issuePct) }, meta: { gate, action: 'block' } });
    }
  }
  for (const c of columns) {
    if (c.kind === 'timestamp') {
      out.push({ expectation_type: 'expect_column_values_to_be_dateutil_parseable', kwargs: { column: c.name, ...mostly(issuePct) }, meta: { gate: `schema_${s.name}`, action: 'block' } });
      continue;
    }
    const types = typeList(c);
    if (types && !c.allowed) out.push({ expectation_type: 'expect_column_values_to_be_in_type_list', kwargs: { column: c.name, type_list: types, ...mostly(issuePct) }, meta: { gate: `schema_${s.name}`, action: 'block' } });
  }
  for (const c of columns) {
    if (c.allowed) {
      out.push({ expectation_type: 'expect_column_values_to_be_in_set', kwargs: { column: c.name, value_set: c.allowed, ...mostly(issuePct) }, meta: { gate: c.kind === 'label' ? `schema_${s.name}` : `categories_${c.name}`, action: c.kind === 'label' ? 'block' : 'quarantine' } });
    } else if (c.min !== undefined || c.max !== undefined) {
      out.push({ expectation_type: 'expect_column_values_to_be_between', kwargs: { column: c.name, min_value: c.min ?? null, max_value: c.max ?? null, ...mostly(issuePct) }, meta: { gate: c.kind === 'label' ? `schema_${s.name}` : `range_${c.name}`, action: c.kind === 'label' ? 'block' : 'quarantine' } });
    }
  }
  out.push({ expectation_type: 'expect_compound_columns_to_be_unique', kwargs: { column_list: mergeKeys(spec), ...mostly(issuePct) }, meta: { gate: `duplicates_${s.name}`, action: 'quarantine' } });
  const perRun = expectedRowsPerRun(s, MICRO_BATCH_MINUTES);
  const bounds = initialVolumeBounds(perRun);
  out.push({
    expectation_type: 'expect_table_row_count_to_be_between',
    kwargs: { min_value: bounds.min, max_value: bounds.max },
    meta: { gate: `volume_${s.name}`, action: 'quarantine', expected_rows_per_run: perRun, note: 'bounds of one run until the 28-day z-score baseline exists' },
  });
  out.push({
    expectation_type: 'expect_column_max_to_be_between',
    kwargs: { column: spec.data.event_timestamp, min_value: { $PARAMETER: FRESHNESS_PARAMETER }, max_value: null },
    meta: { gate: `freshness_${s.name}`, action: 'warn', freshness_minutes: s.freshness_minutes },
  });
  return {
    expectation_suite_name: `${spec.name}.${s.name}`,
    data_asset_type: 'Dataset',
    expectations: out,
    meta: { great_expectations_version: '0.18.x', source: s.name, contract: plan.paths.schemas[s.name], quality_gates: plan.paths.quality_gates, generated_by: 'mlops-mcp data_engineer' },
  };
}

export function expectationsModule(spec: ResolvedSpec, plan: DataPlan, envPrefix: string): string {
  const freshness = Object.fromEntries(plan.sources.map((s) => [s.name, s.freshness_minutes]));
  const jobs = Object.fromEntries(plan.sources.map((s) => [s.name, `validate_${s.name}`]));
  return String.raw`"""Runs the Great Expectations suites of ${pyLiteral(spec.name).slice(1, -1)} (data/expectations/<source>.json).

The suites are plain GE suite files. With great_expectations importable (legacy pandas dataset API) they run
through GE; otherwise through run_suite below, a pandas implementation of exactly the expectation types the
suites use (IMPLEMENTED). Both return a GE-like result: success, statistics and one result per expectation with
unexpected counts and examples. Each run emits OpenLineage START/COMPLETE/FAIL events (data/lineage.py).

Usage: python -m <package>.data.expectations SOURCE FILE.jsonl|FILE.csv [--engine auto|pandas|great_expectations]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

ENV_PREFIX = ${pyLiteral(envPrefix)}
FRESHNESS_PARAMETER = ${pyLiteral(FRESHNESS_PARAMETER)}
FRESHNESS_MINUTES: Dict[str, int] = ${pyLiteral(freshness)}
LINEAGE_JOBS: Dict[str, str] = ${pyLiteral(jobs)}
PARTIAL_LIST_SIZE = 20


def suites_dir() -> Path:
    """data/expectations of the bundle (ml/src/<pkg>/data -> bundle root), or $<PREFIX>_EXPECTATIONS_DIR."""
    configured = os.environ.get(ENV_PREFIX + "_EXPECTATIONS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[4] / "data" / "expectations"


def load_suite(source: str, directory: Optional[Path] = None) -> Dict[str, Any]:
    path = (directory or suites_dir()) / (source + ".json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# ------------------------------------------------------------------ pandas implementation

def _pd() -> Any:
    import pandas as pd

    return pd


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(_pd().isna(value))
    except (TypeError, ValueError):
        return False


def _column_map(frame: Any, kwargs: Mapping[str, Any], unexpected: Callable[[Any], bool], count_missing: bool = False) -> Dict[str, Any]:
    """GE's column-map semantics: missing values are skipped (except for the null check); mostly is the pass share."""
    column = kwargs["column"]
    if column not in frame.columns:
        return {"success": False, "result": {"observed_value": None, "details": f"column {column!r} is missing"}}
    series = frame[column]
    total = len(series)
    missing_mask = [_missing(v) for v in series.tolist()]
    missing = sum(missing_mask)
    bad_index: List[Any] = []
    bad_values: List[Any] = []
    for index, value, is_missing in zip(series.index.tolist(), series.tolist(), missing_mask):
        if count_missing:
            if is_missing:
                bad_index.append(index)
                bad_values.append(None)
        elif not is_missing and unexpected(value):
            bad_index.append(index)
            bad_values.append(value)
    base = total if count_missing else total - missing
    share_ok = 1.0 - (len(bad_index) / base) if base else 1.0
    mostly = float(kwargs.get("mostly", 1.0))
    return {
        "success": share_ok + 1e-12 >= mostly,
        "result": {
            "element_count": total,
            "missing_count": missing,
            "missing_percent": 100.0 * missing / total if total else 0.0,
            "unexpected_count": len(bad_index),
            "unexpected_percent": 100.0 * len(bad_index) / base if base else 0.0,
            "partial_unexpected_list": [_jsonable(v) for v in bad_values[:PARTIAL_LIST_SIZE]],
            "partial_unexpected_index_list": [_jsonable(i) for i in bad_index[:PARTIAL_LIST_SIZE]],
        },
    }


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _type_name(value: Any) -> str:
    return type(value).__name__


def _parse_datetime(value: Any) -> Optional[datetime]:
    pd = _pd()
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = pd.Timestamp(value).to_pydatetime()
            except (ValueError, TypeError, OverflowError):
                return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _comparable(value: Any) -> Any:
    """A kwarg or an observed value as a number or an aware datetime, so bounds compare either kind."""
    number = _number(value) if not isinstance(value, (str, datetime)) else None
    return number if number is not None else _parse_datetime(value)


def _bound(value: Any) -> Any:
    if value is None:
        return None
    parsed = _comparable(value)
    if parsed is None:
        raise ValueError(f"bound {value!r} is neither a number nor a timestamp")
    return parsed


def _outside(value: Any, low: Any, high: Any, strict_min: bool = False, strict_max: bool = False) -> bool:
    if value is None:
        return True
    try:
        if low is not None and (value < low or (strict_min and value == low)):
            return True
        if high is not None and (value > high or (strict_max and value == high)):
            return True
    except TypeError:
        return True
    return False


def expect_column_to_exist(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    return {"success": kwargs["column"] in frame.columns, "result": {"observed_value": list(map(str, frame.columns))}}


def expect_column_values_to_not_be_null(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    return _column_map(frame, kwargs, lambda v: False, count_missing=True)


def expect_column_values_to_be_in_type_list(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    types = set(kwargs["type_list"])
    column = kwargs["column"]
    if column in frame.columns and str(frame[column].dtype) in types:
        result = _column_map(frame, kwargs, lambda v: False)
        result["result"]["observed_value"] = str(frame[column].dtype)
        return result
    return _column_map(frame, kwargs, lambda v: _type_name(v) not in types)


def expect_column_values_to_be_dateutil_parseable(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    return _column_map(frame, kwargs, lambda v: _parse_datetime(v) is None)


def expect_column_values_to_be_between(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    strict_min, strict_max = bool(kwargs.get("strict_min", False)), bool(kwargs.get("strict_max", False))
    return _column_map(frame, kwargs, lambda v: _outside(_number(v), low, high, strict_min, strict_max))


def expect_column_values_to_be_in_set(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    allowed = list(kwargs["value_set"])

    def unexpected(value: Any) -> bool:
        value = _jsonable(value)
        return not any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in allowed)

    return _column_map(frame, kwargs, unexpected)


def expect_compound_columns_to_be_unique(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    columns = list(kwargs["column_list"])
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        return {"success": False, "result": {"observed_value": None, "details": f"columns missing: {absent}"}}
    subset = frame[columns]
    complete = subset.notna().all(axis=1)
    duplicated = subset[complete].astype(str).duplicated(keep=False)
    bad = subset[complete][duplicated]
    total, considered = len(subset), int(complete.sum())
    mostly = float(kwargs.get("mostly", 1.0))
    share_ok = 1.0 - len(bad) / considered if considered else 1.0
    return {
        "success": share_ok + 1e-12 >= mostly,
        "result": {
            "element_count": total,
            "missing_count": total - considered,
            "unexpected_count": len(bad),
            "unexpected_percent": 100.0 * len(bad) / considered if considered else 0.0,
            "partial_unexpected_list": [{c: _jsonable(v) for c, v in row.items()} for row in bad.head(PARTIAL_LIST_SIZE).to_dict("records")],
            "partial_unexpected_index_list": [_jsonable(i) for i in bad.index.tolist()[:PARTIAL_LIST_SIZE]],
        },
    }


def expect_table_row_count_to_be_between(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    rows = len(frame)
    return {"success": not _outside(rows, kwargs.get("min_value"), kwargs.get("max_value")), "result": {"observed_value": rows}}


def expect_column_max_to_be_between(frame: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    column = kwargs["column"]
    if column not in frame.columns:
        return {"success": False, "result": {"observed_value": None, "details": f"column {column!r} is missing"}}
    values = [_comparable(v) for v in frame[column].tolist() if not _missing(v)]
    values = [v for v in values if v is not None]
    if not values:
        return {"success": False, "result": {"observed_value": None, "details": "no parseable values"}}
    try:
        observed = max(values)
    except TypeError:
        return {"success": False, "result": {"observed_value": None, "details": "values of mixed types"}}
    low, high = _bound(kwargs.get("min_value")), _bound(kwargs.get("max_value"))
    return {"success": not _outside(observed, low, high), "result": {"observed_value": _jsonable(observed)}}


IMPLEMENTED: Dict[str, Callable[[Any, Mapping[str, Any]], Dict[str, Any]]] = {
    "expect_column_to_exist": expect_column_to_exist,
    "expect_column_values_to_not_be_null": expect_column_values_to_not_be_null,
    "expect_column_values_to_be_in_type_list": expect_column_values_to_be_in_type_list,
    "expect_column_values_to_be_dateutil_parseable": expect_column_values_to_be_dateutil_parseable,
    "expect_column_values_to_be_between": expect_column_values_to_be_between,
    "expect_column_values_to_be_in_set": expect_column_values_to_be_in_set,
    "expect_compound_columns_to_be_unique": expect_compound_columns_to_be_unique,
    "expect_table_row_count_to_be_between": expect_table_row_count_to_be_between,
    "expect_column_max_to_be_between": expect_column_max_to_be_between,
}


def default_parameters(source: str, now: Optional[datetime] = None) -> Dict[str, Any]:
    """Evaluation parameters of a suite: the freshness cutoff is now minus the source's freshness bound."""
    moment = now or datetime.now(timezone.utc)
    return {FRESHNESS_PARAMETER: (moment - timedelta(minutes=FRESHNESS_MINUTES.get(source, 0))).isoformat()}


def _resolve(kwargs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Dict[str, Any]:
    resolved: Dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(value, dict) and "$PARAMETER" in value:
            name = value["$PARAMETER"]
            if name not in parameters:
                raise KeyError(f"evaluation parameter {name!r} is not set")
            value = parameters[name]
        resolved[key] = value
    return resolved


def run_suite(frame: Any, suite: Mapping[str, Any], parameters: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Applies every expectation of the suite to a pandas DataFrame; a GE-like validation result."""
    results: List[Dict[str, Any]] = []
    for expectation in suite["expectations"]:
        kind = expectation["expectation_type"]
        config = {"expectation_type": kind, "kwargs": expectation.get("kwargs", {}), "meta": expectation.get("meta", {})}
        try:
            check = IMPLEMENTED[kind]
            outcome = check(frame, _resolve(config["kwargs"], parameters or {}))
            results.append({"expectation_config": config, "success": bool(outcome["success"]), "result": outcome["result"], "exception_info": {"raised_exception": False}})
        except Exception as error:  # noqa: BLE001 - reported per expectation, as GE does
            results.append({"expectation_config": config, "success": False, "result": {}, "exception_info": {"raised_exception": True, "exception_message": f"{type(error).__name__}: {error}"}})
    passed = sum(1 for r in results if r["success"])
    return {
        "success": passed == len(results),
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100.0 * passed / len(results) if results else 100.0,
        },
        "results": results,
        "meta": {"expectation_suite_name": suite.get("expectation_suite_name"), "engine": "pandas"},
    }


# ------------------------------------------------------------------ great_expectations adapter

def _run_with_great_expectations(frame: Any, suite: Mapping[str, Any], parameters: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """GE's legacy pandas dataset API (0.x); None when GE is absent or lacks it."""
    try:
        import great_expectations as ge  # optional dependency
    except ImportError:
        return None
    from_pandas = getattr(ge, "from_pandas", None)
    if from_pandas is None:
        return None
    dataset = from_pandas(frame)
    result = dataset.validate(expectation_suite=dict(suite), evaluation_parameters=dict(parameters), result_format="SUMMARY")
    described = result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)
    described.setdefault("meta", {})["engine"] = "great_expectations"
    return described


def validate_frame(frame: Any, source: str, suite: Optional[Mapping[str, Any]] = None, engine: str = "auto", parameters: Optional[Mapping[str, Any]] = None, lineage: Any = None) -> Dict[str, Any]:
    """Validates a frame of one source against its suite file; emits lineage START and COMPLETE/FAIL."""
    from . import lineage as lineage_module

    suite = suite or load_suite(source)
    params = {**default_parameters(source), **(parameters or {})}
    emitter = lineage if lineage is not None else lineage_module.default_emitter()
    run = lineage_module.LineageRun(emitter, LINEAGE_JOBS.get(source, "validate_" + source), inputs=[lineage_module.source_dataset(source)])
    run.start()
    try:
        result = None
        if engine in ("auto", "great_expectations"):
            result = _run_with_great_expectations(frame, suite, params)
            if result is None and engine == "great_expectations":
                raise RuntimeError("great_expectations (with from_pandas) is not installed")
        if result is None:
            result = run_suite(frame, suite, params)
    except Exception as error:
        run.fail(error)
        raise
    result.setdefault("meta", {})["run_id"] = run.run_id
    run.complete(extra_facets={"dataQualityAssertions": lineage_module.assertions_facet(result)})
    return result


def main(argv: Optional[List[str]] = None) -> int:
    from .validation import CONTRACTS, read_records

    parser = argparse.ArgumentParser(description="Run the expectation suite of a source on a file")
    parser.add_argument("source", choices=sorted(CONTRACTS))
    parser.add_argument("path")
    parser.add_argument("--engine", choices=["auto", "pandas", "great_expectations"], default="auto")
    parser.add_argument("--report", help="write the JSON result to this file")
    args = parser.parse_args(argv)
    frame = _pd().DataFrame(list(read_records(args.path)))
    result = validate_frame(frame, args.source, engine=args.engine)
    text = json.dumps(result, indent=2, sort_keys=True, default=str)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)
    return 0 if result["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
`;
}
