import { pyLiteral, type PyValue } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { featureContract } from '../../common.js';

/** Largest /predict/batch request (records); larger batches belong to the batch job. */
export const MAX_BATCH_RECORDS = 1000;
/** Longest accepted text value (characters) of text and free categorical features. */
export const MAX_TEXT_CHARS = 10_000;

/** One field of the generated pydantic request model, derived from one declared feature. */
export interface RequestField {
  /** The column name clients send (the pydantic alias). */
  column: string;
  /** The Python attribute: feature_<name>, so no name can clash with a keyword or a BaseModel attribute. */
  attribute: string;
  /** Python annotation without Optional (integer bounds live in conint). */
  pyType: string;
  required: boolean;
  ge: number | null;
  le: number | null;
  /** Protected attributes are accepted (bias checks) but never reach the model. */
  modelInput: boolean;
}

/** The request fields: types, ranges, allowed categories and nullability from spec.data.features. */
export function requestFields(spec: ResolvedSpec): RequestField[] {
  return spec.data.features.map((f) => {
    const numeric = f.type === 'numeric';
    // Constrained strict types (conint/constr) enforce bounds on pydantic 1 and 2 alike; Field(ge=...) on StrictInt does not on 1.
    const intBounds = [f.min !== undefined ? `, ge=${pyLiteral(f.min)}` : '', f.max !== undefined ? `, le=${pyLiteral(f.max)}` : ''].join('');
    const pyType =
      f.type === 'numeric'
        ? 'float'
        : f.type === 'integer'
          ? `conint(strict=True${intBounds})`
          : f.type === 'boolean'
            ? 'StrictBool'
            : f.type === 'timestamp'
              ? 'datetime'
              : f.type === 'categorical' && f.categories && f.categories.length > 0
                ? `Literal[${f.categories.map((c) => pyLiteral(c)).join(', ')}]`
                : `constr(strict=True, max_length=${MAX_TEXT_CHARS})`;
    return {
      column: f.name,
      attribute: `feature_${f.name}`,
      pyType,
      required: !f.nullable && !f.protected,
      ge: numeric ? (f.min ?? null) : null,
      le: numeric ? (f.max ?? null) : null,
      modelInput: !f.protected,
    };
  });
}

function fieldLine(f: RequestField): string {
  const args = [f.required ? '...' : 'None', `alias=${pyLiteral(f.column)}`];
  if (f.ge !== null) args.push(`ge=${pyLiteral(f.ge)}`);
  if (f.le !== null) args.push(`le=${pyLiteral(f.le)}`);
  const type = f.required ? f.pyType : `Optional[${f.pyType}]`;
  return `    ${f.attribute}: ${type} = Field(${args.join(', ')})`;
}

/** serving/schema.py: the request model and the vectorised checks the batch job and stream consumer share. */
export function schemaPy(spec: ResolvedSpec): string {
  const fields = requestFields(spec);
  const features = spec.data.features.map((f) => ({ name: f.name, ...featureContract(f) }));
  const entityIsFeature = spec.data.features.some((f) => f.name === spec.data.entity_key);
  const entityLine = entityIsFeature ? '' : `\n    entity: Optional[Union[StrictStr, StrictInt]] = Field(None, alias=ENTITY_KEY)`;
  // Import only what the field annotations use (each name appears in some spec, not in every one).
  const annotations = fields.map((f) => f.pyType).join(' ') + (entityIsFeature ? '' : ' StrictStr StrictInt');
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(annotations);
  const pydanticNames = ['BaseModel', 'Field', ...['StrictBool', 'StrictInt', 'StrictStr', 'conint', 'constr'].filter(uses)];
  const typingNames = ['Any', 'Dict', 'List', ...(uses('Literal') ? ['Literal'] : []), 'Mapping', 'Optional', 'Sequence', 'Tuple', ...(entityIsFeature ? [] : ['Union'])];
  return String.raw`"""Request schema of the model server, generated from the declared features of the spec.

PredictRecord is one record as clients send it: the feature columns by name (types, declared ranges, allowed
categories, nullability), optionally the entity key; anything else is rejected. check_frame() applies the same
rules to a whole DataFrame at once (batch job). Works on pydantic 1.10 and 2.x.
"""

${uses('datetime') ? 'from datetime import datetime\n' : ''}from typing import ${typingNames.join(', ')}

import pydantic
from pydantic import ${pydanticNames.join(', ')}

PYDANTIC_V2: bool = int(pydantic.VERSION.split(".")[0]) >= 2

ENTITY_KEY: str = ${pyLiteral(spec.data.entity_key)}
EVENT_TIMESTAMP: str = ${pyLiteral(spec.data.event_timestamp)}
FEATURES: List[Dict[str, Any]] = ${pyLiteral(features as unknown as PyValue)}
# Columns the model receives, in this order, when it does not declare feature_names (protected attributes never do).
MODEL_INPUTS: List[str] = ${pyLiteral(fields.filter((f) => f.modelInput).map((f) => f.column))}
MAX_BATCH: int = ${MAX_BATCH_RECORDS}

if PYDANTIC_V2:
    from pydantic import ConfigDict

    class StrictModel(BaseModel):
        """Unknown fields are an error; fields are read by their column names (aliases)."""

        model_config = ConfigDict(extra="forbid", populate_by_name=False)

else:

    class StrictModel(BaseModel):  # type: ignore[no-redef]
        """Unknown fields are an error; fields are read by their column names (aliases)."""

        class Config:
            extra = pydantic.Extra.forbid
            allow_population_by_field_name = False


class PredictRecord(StrictModel):
    """One record to score: every declared feature by its column name."""

${fields.map(fieldLine).join('\n')}${entityLine}


_BOUNDS: Dict[str, int] = {"min_length": 1, "max_length": MAX_BATCH} if PYDANTIC_V2 else {"min_items": 1, "max_items": MAX_BATCH}


class PredictBatch(StrictModel):
    """Up to MAX_BATCH records; larger sets go through the batch job."""

    records: List[PredictRecord] = Field(..., **_BOUNDS)  # type: ignore[call-overload]


def parse_record(raw: Mapping[str, Any]) -> PredictRecord:
    """The validated record; raises pydantic.ValidationError."""
    if PYDANTIC_V2:
        return PredictRecord.model_validate(dict(raw))
    return PredictRecord.parse_obj(dict(raw))


def record_values(record: PredictRecord) -> Dict[str, Any]:
    """The record as {column: value} (entity key included when sent)."""
    return record.model_dump(by_alias=True) if PYDANTIC_V2 else record.dict(by_alias=True)


def error_summary(error: pydantic.ValidationError) -> List[Dict[str, Any]]:
    """[{loc, msg, type}] of a validation error, the same shape on pydantic 1 and 2 (dead letters, logs)."""
    return [{"loc": [str(p) for p in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])} for e in error.errors()]


def to_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    """A DataFrame of the given columns (the model's inputs) from validated rows."""
    import pandas as pd

    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=list(columns))


_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f"}


def _as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def check_frame(frame: Any) -> Tuple[Any, Any, Any]:
    """(converted frame, valid mask, reason per row) under the same rules as PredictRecord, vectorised.

    Missing columns of required features raise KeyError; a row failing several checks reports the first.
    """
    import pandas as pd

    out = frame.copy()
    valid = pd.Series(True, index=frame.index)
    reason = pd.Series("", index=frame.index, dtype=object)

    def fail(mask: Any, why: str) -> None:
        hit = mask & valid
        reason[hit] = why
        valid[hit] = False

    for f in FEATURES:
        name = f["name"]
        required = not f["nullable"] and not f["protected"]
        if name not in out.columns:
            if required:
                raise KeyError(f"input has no column {name!r} (a required feature)")
            out[name] = None
            continue
        column = out[name]
        missing = column.isna()
        if required:
            fail(missing, f"{name}: missing")
        if f["type"] in ("numeric", "integer"):
            numbers = pd.to_numeric(column, errors="coerce")
            fail(~missing & numbers.isna(), f"{name}: not a number")
            if f["type"] == "integer":
                fail(numbers.notna() & (numbers != numbers.round()), f"{name}: not an integer")
            if f["min"] is not None:
                fail(numbers < f["min"], f"{name}: below {f['min']}")
            if f["max"] is not None:
                fail(numbers > f["max"], f"{name}: above {f['max']}")
            out[name] = numbers
        elif f["type"] == "boolean":
            flags = column.map(lambda v: None if v is None or v != v else _as_bool(v))
            fail(~missing & flags.isna(), f"{name}: not a boolean")
            out[name] = flags
        elif f["type"] == "timestamp":
            stamps = pd.to_datetime(column, errors="coerce", utc=True)
            fail(~missing & stamps.isna(), f"{name}: not a timestamp")
            out[name] = stamps
        elif f["type"] == "categorical" and f["categories"]:
            fail(~missing & ~column.astype(str).isin(f["categories"]), f"{name}: not one of the declared categories")
    return out, valid, reason
`;
}
