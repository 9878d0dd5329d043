import { pyLiteral } from '../../../generators/serializers/python.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import type { BatchPlan } from '../derive.js';

/** serving/batch_score.py: the job the batch-scoring CronJob runs (python -m <pkg>.serving.batch_score --shards N --output-uri URI). */
export function batchScorePy(spec: ResolvedSpec, batch: BatchPlan, envPrefix: string): string {
  return String.raw`"""Batch scoring: reads CSV or Parquet in chunks, scores this shard's rows, writes predictions.

The CronJob runs one pod per shard (Indexed Job): pod JOB_COMPLETION_INDEX keeps the rows whose entity key hashes
(crc32) to its index, so shards are disjoint and stable across runs. Rows failing the feature schema are written
to a rejects file with the reason instead of being scored. Output: <output-uri>/part-<shard>.csv (or .parquet with
--format parquet) with the entity key, the event timestamp, the prediction (and class probabilities), the model
version and scored_at. Metrics (runs, last success, predictions) are pushed to the Pushgateway when $PUSHGATEWAY
is set.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

from ..dataio import CHUNK_ROWS, iter_chunks
from ..errors import PipelineError
from ..logging_utils import bind, configure_logging
from ..observability import instrumentation
from ..observability.metrics import MODEL, metric
from . import model as served
from .schema import ENTITY_KEY, EVENT_TIMESTAMP, FEATURES, check_frame

logger = logging.getLogger(__name__)

INPUT_ENV: str = ${pyLiteral(`${envPrefix}_BATCH_INPUT`)}
DEFAULT_SHARDS: int = ${batch.parallelism}
DEFAULT_OUTPUT_URI: str = ${pyLiteral(batch.output_uri)}
JOB_NAME: str = "batch-scoring"


def shard_of(keys: Any, shards: int) -> Any:
    """Shard number of each entity key (crc32 of its text, stable across processes and runs)."""
    return keys.astype(str).map(lambda k: zlib.crc32(k.encode("utf-8")) % shards)


def read_chunks(path: str, chunk_rows: int) -> Iterator[Any]:
    """CSV (pandas chunks) or Parquet (dataio's columnar chunks) of chunk_rows rows."""
    columns = [ENTITY_KEY, EVENT_TIMESTAMP] + [f["name"] for f in FEATURES]
    if path.endswith(".parquet") or Path(path).is_dir():
        yield from iter_chunks(path, columns=None, chunk_rows=chunk_rows)
        return
    import pandas as pd

    header = pd.read_csv(path, nrows=0).columns
    wanted = [c for c in columns if c in header]
    yield from pd.read_csv(path, usecols=wanted, chunksize=chunk_rows, dtype={ENTITY_KEY: str})


def score_chunk(frame: Any, loaded: served.LoadedModel, scored_at: str) -> tuple[Any, Any]:
    """(predictions frame, rejects frame) of one chunk."""
    import pandas as pd

    checked, valid, reason = check_frame(frame)
    good = checked[valid]
    out = pd.DataFrame(index=range(len(good)))
    for key in (ENTITY_KEY, EVENT_TIMESTAMP):
        out[key] = good[key].values if key in good.columns else None
    if len(good) > 0:
        out["prediction"] = loaded.predict(good)
        probabilities = loaded.predict_proba(good)
        if probabilities is not None:
            for k in range(len(probabilities[0])):
                out[f"probability_{k}"] = [row[k] for row in probabilities]
    else:
        out["prediction"] = None
    out["model_version"] = loaded.version
    out["scored_at"] = scored_at
    rejects = frame[~valid].copy()
    rejects["reason"] = reason[~valid].values
    return out, rejects


def _write(frame: Any, path: Path, fmt: str, first: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        raise ValueError("parquet output is written once per shard (use write_parquet)")
    frame.to_csv(path, mode="w" if first else "a", header=first, index=False)


def run(input_path: str, output_uri: str, shards: int = 1, shard: int = 0, chunk_rows: int = CHUNK_ROWS, fmt: str = "csv", loaded: Optional[served.LoadedModel] = None) -> Dict[str, Any]:
    """Scores shard number shard of shards of the input; returns counts and the files written."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is outside 0..{shards - 1}")
    current = loaded or served.load()
    scored_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    target = Path(output_uri)
    if "://" in output_uri:
        raise PipelineError(f"write {output_uri} through a mounted or synced path; this job writes local files", context={"output_uri": output_uri})
    suffix = "parquet" if fmt == "parquet" else "csv"
    out_file = target / f"part-{shard:05d}.{suffix}"
    rejects_file = target / f"rejects-{shard:05d}.csv"
    scored = rejected = 0
    parts: List[Any] = []
    first = True
    first_reject = True
    for chunk in read_chunks(input_path, chunk_rows):
        if shards > 1:
            chunk = chunk[shard_of(chunk[ENTITY_KEY], shards) == shard]
        if len(chunk) == 0:
            continue
        predictions, rejects = score_chunk(chunk, current, scored_at)
        if fmt == "parquet":
            parts.append(predictions)
        else:
            _write(predictions, out_file, fmt, first)
            first = False
        if len(rejects) > 0:
            _write(rejects, rejects_file, "csv", first_reject)
            first_reject = False
        scored += len(predictions)
        rejected += len(rejects)
        metric("predictions").labels(MODEL, current.version, "batch").inc(len(predictions))
    if fmt == "parquet":
        import pandas as pd

        target.mkdir(parents=True, exist_ok=True)
        (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()).to_parquet(out_file, index=False)
    elif first:
        _write(score_chunk(_empty(), current, scored_at)[0], out_file, fmt, True)
    return {"scored": scored, "rejected": rejected, "output": str(out_file), "rejects": str(rejects_file) if rejected else None, "model_version": current.version}


def _empty() -> Any:
    import pandas as pd

    return pd.DataFrame({c: [] for c in [ENTITY_KEY, EVENT_TIMESTAMP] + [f["name"] for f in FEATURES]})


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=os.environ.get(INPUT_ENV), help=f"CSV file, Parquet file or dataset folder (default: ${"$"}{INPUT_ENV})")
    parser.add_argument("--output-uri", default=os.environ.get("BATCH_OUTPUT_URI", DEFAULT_OUTPUT_URI))
    parser.add_argument("--shards", type=int, default=int(os.environ.get("BATCH_SHARDS", DEFAULT_SHARDS)))
    parser.add_argument("--shard", type=int, default=int(os.environ.get("JOB_COMPLETION_INDEX", "0")))
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args(argv)
    configure_logging(component="batch-scoring")
    if not args.input:
        parser.error(f"--input or {INPUT_ENV} is required")
    started = time.perf_counter()
    success = False
    try:
        with bind(shard=args.shard, shards=args.shards):
            result = run(args.input, args.output_uri, args.shards, args.shard, args.chunk_rows, args.format)
            logger.info("batch scoring finished", extra={**result, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        success = True
        return 0
    except PipelineError as error:
        logger.exception("batch scoring failed")
        return error.exit_code
    finally:
        instrumentation.record_batch_run(success)
        if os.environ.get(instrumentation.PUSHGATEWAY_ENV):
            try:
                instrumentation.push(f"{JOB_NAME}-{args.shard}")
            except OSError:
                logger.warning("metrics push failed", exc_info=True)


if __name__ == "__main__":
    sys.exit(main())
`;
}
