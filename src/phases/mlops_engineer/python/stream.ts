import { pyLiteral } from '../../../generators/serializers/python.js';
import type { StreamPlan } from '../derive.js';
import { STREAM_MICRO_BATCH } from '../derive.js';

/** Dead-letter topic/stream of the consumer: invalid records with the reason, next to the output topic. */
export function deadLetterTopic(stream: StreamPlan): string {
  return `${stream.output_topic}-dead-letter`;
}

/** serving/stream_consumer.py: the consumer the stream-consumer Deployment runs (deployment_mode streaming). */
export function streamConsumerPy(stream: StreamPlan, envPrefix: string): string {
  return String.raw`"""Stream consumer: reads ${stream.source_kind} records, scores them in micro-batches, publishes predictions.

At-least-once: a micro-batch is committed only after its predictions and dead letters were sent and flushed, so a
crash before the commit redelivers it (consumers of the output topic deduplicate on the entity key and offset).
Records that are not JSON objects or fail the feature schema go to the dead-letter topic with the reason and are
committed with the batch (they would fail again). A model error commits nothing and is retried.
Sources and sinks sit behind a small interface: Kafka (kafka-python) and Kinesis (boto3) are imported lazily;
InMemorySource / InMemorySink serve tests and local runs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Protocol, Sequence

import pydantic

from ..errors import ConfigError
from ..logging_utils import configure_logging
from ..observability import instrumentation
from ..observability.metrics import MODEL, metric
from . import model as served
from . import oip
from .schema import ENTITY_KEY, error_summary, parse_record, record_values

logger = logging.getLogger(__name__)

SOURCE_KIND: str = ${pyLiteral(stream.source_kind)}
TOPIC: str = ${pyLiteral(stream.topic)}
CONSUMER_GROUP: str = ${pyLiteral(stream.consumer_group)}
OUTPUT_TOPIC: str = ${pyLiteral(stream.output_topic)}
DEAD_LETTER_TOPIC: str = ${pyLiteral(deadLetterTopic(stream))}
MICRO_BATCH: int = ${STREAM_MICRO_BATCH}
METRICS_PORT_ENV: str = ${pyLiteral(`${envPrefix}_METRICS_PORT`)}


@dataclass
class Message:
    """One record read from the stream; position is what commit() needs (offset or sequence number)."""

    value: bytes
    key: Optional[str] = None
    partition: str = "0"
    position: Any = 0
    timestamp: float = field(default_factory=time.time)


class StreamSource(Protocol):
    def poll(self, max_records: int, timeout_s: float) -> List[Message]: ...

    def commit(self, messages: Sequence[Message]) -> None: ...

    def close(self) -> None: ...


class StreamSink(Protocol):
    def send(self, topic: str, key: Optional[str], value: bytes) -> None: ...

    def flush(self) -> None: ...


class InMemorySource:
    """A list of messages; poll() continues after the last read one, rewind() goes back to the last commit (a restart)."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.messages = list(messages)
        self.read = 0
        self.committed = 0

    def poll(self, max_records: int, timeout_s: float = 0.0) -> List[Message]:
        batch = self.messages[self.read : self.read + max_records]
        self.read += len(batch)
        return batch

    def commit(self, messages: Sequence[Message]) -> None:
        done = [i + 1 for i, m in enumerate(self.messages) if any(m is x for x in messages)]
        self.committed = max([self.committed, *done])

    def rewind(self) -> None:
        self.read = self.committed

    def close(self) -> None:
        pass


class InMemorySink:
    def __init__(self) -> None:
        self.sent: Dict[str, List[Dict[str, Any]]] = {}
        self.flushed = 0

    def send(self, topic: str, key: Optional[str], value: bytes) -> None:
        self.sent.setdefault(topic, []).append({"key": key, "value": json.loads(value)})

    def flush(self) -> None:
        self.flushed += 1


class KafkaSource:
    """kafka-python consumer in a group, auto-commit off: offsets are committed after a batch is scored."""

    def __init__(self, topic: str, group: str, bootstrap: str, **options: Any) -> None:
        from kafka import KafkaConsumer  # lazy: only the streaming deployment needs kafka-python

        self.consumer = KafkaConsumer(topic, group_id=group, bootstrap_servers=bootstrap.split(","), enable_auto_commit=False, auto_offset_reset="earliest", **options)

    def poll(self, max_records: int, timeout_s: float) -> List[Message]:
        out: List[Message] = []
        for tp, records in self.consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records).items():
            for r in records:
                key = r.key.decode("utf-8", "replace") if r.key else None
                out.append(Message(r.value, key, f"{tp.topic}:{tp.partition}", r.offset, r.timestamp / 1000.0))
        return out

    def commit(self, messages: Sequence[Message]) -> None:
        from kafka import OffsetAndMetadata, TopicPartition

        last: Dict[str, int] = {}
        for m in messages:
            last[m.partition] = max(last.get(m.partition, -1), int(m.position))
        offsets = {}
        for partition, offset in last.items():
            topic, _, number = partition.rpartition(":")
            offsets[TopicPartition(topic, int(number))] = OffsetAndMetadata(offset + 1, None)
        self.consumer.commit(offsets)

    def close(self) -> None:
        self.consumer.close()


class KafkaSink:
    def __init__(self, bootstrap: str, **options: Any) -> None:
        from kafka import KafkaProducer

        self.producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", **options)

    def send(self, topic: str, key: Optional[str], value: bytes) -> None:
        self.producer.send(topic, key=key.encode("utf-8") if key else None, value=value)

    def flush(self) -> None:
        self.producer.flush()


class KinesisSource:
    """boto3 GetRecords over every shard; commit() advances the in-process checkpoint (sequence number per shard).

    The checkpoint lives in this process: after a restart reading resumes at TRIM_HORIZON (at-least-once, with
    more redelivery than Kafka). Use the KCL (DynamoDB lease table) when redelivery volume matters.
    """

    def __init__(self, stream_arn: str) -> None:
        import boto3  # lazy: only the Kinesis deployment needs boto3

        self.client = boto3.client("kinesis")
        self.arn = stream_arn
        self.checkpoints: Dict[str, str] = {}
        self.iterators: Dict[str, str] = {}
        for shard in self.client.list_shards(StreamARN=stream_arn)["Shards"]:
            self._reset(shard["ShardId"])

    def _reset(self, shard_id: str) -> None:
        after = self.checkpoints.get(shard_id)
        kwargs = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after} if after else {"ShardIteratorType": "TRIM_HORIZON"}
        self.iterators[shard_id] = self.client.get_shard_iterator(StreamARN=self.arn, ShardId=shard_id, **kwargs)["ShardIterator"]

    def poll(self, max_records: int, timeout_s: float) -> List[Message]:
        out: List[Message] = []
        for shard_id, iterator in list(self.iterators.items()):
            answer = self.client.get_records(ShardIterator=iterator, Limit=max(1, max_records - len(out)), StreamARN=self.arn)
            self.iterators[shard_id] = answer["NextShardIterator"]
            for r in answer["Records"]:
                out.append(Message(r["Data"], r.get("PartitionKey"), shard_id, r["SequenceNumber"], r["ApproximateArrivalTimestamp"].timestamp()))
            if len(out) >= max_records:
                break
        return out

    def commit(self, messages: Sequence[Message]) -> None:
        for m in messages:
            self.checkpoints[m.partition] = str(m.position)

    def close(self) -> None:
        pass


class KinesisSink:
    def __init__(self) -> None:
        import boto3

        self.client = boto3.client("kinesis")
        self.pending: Dict[str, List[Dict[str, Any]]] = {}

    def send(self, topic: str, key: Optional[str], value: bytes) -> None:
        self.pending.setdefault(topic, []).append({"Data": value, "PartitionKey": key or "none"})

    def flush(self) -> None:
        for stream, records in self.pending.items():
            for i in range(0, len(records), 500):
                answer = self.client.put_records(StreamName=stream, Records=records[i : i + 500])
                if answer.get("FailedRecordCount"):
                    raise RuntimeError(f"{answer['FailedRecordCount']} records not written to {stream}")
        self.pending.clear()


class Consumer:
    """Poll → validate → score → publish → flush → commit, one micro-batch at a time."""

    def __init__(self, source: StreamSource, sink: StreamSink, loaded: Any, topic: str = TOPIC, group: str = CONSUMER_GROUP, output_topic: str = OUTPUT_TOPIC, dead_letter_topic: str = DEAD_LETTER_TOPIC, micro_batch: int = MICRO_BATCH) -> None:
        self.source, self.sink, self.loaded = source, sink, loaded
        self.topic, self.group, self.output_topic, self.dead_letter_topic = topic, group, output_topic, dead_letter_topic
        self.micro_batch = micro_batch

    def _dead_letter(self, message: Message, reason: str, errors: Optional[List[Dict[str, Any]]] = None) -> None:
        body = {"reason": reason, "errors": errors or [], "source_topic": self.topic, "partition": message.partition, "position": str(message.position), "value": message.value.decode("utf-8", "replace")}
        self.sink.send(self.dead_letter_topic, message.key, json.dumps(body).encode("utf-8"))

    def run_once(self, timeout_s: float = 1.0) -> Dict[str, int]:
        """One micro-batch; returns {read, scored, dead_letter}. Raises (without committing) when scoring fails."""
        messages = self.source.poll(self.micro_batch, timeout_s)
        if not messages:
            return {"read": 0, "scored": 0, "dead_letter": 0}
        valid: List[Message] = []
        rows: List[Dict[str, Any]] = []
        dead = 0
        for m in messages:
            try:
                raw = json.loads(m.value)
                if not isinstance(raw, dict):
                    raise ValueError("a record is a JSON object")
                rows.append(record_values(parse_record(raw)))
                valid.append(m)
            except pydantic.ValidationError as error:
                self._dead_letter(m, "schema", error_summary(error))
                dead += 1
            except ValueError as error:  # json.JSONDecodeError is a ValueError
                self._dead_letter(m, "not a JSON object", [{"loc": [], "msg": str(error), "type": type(error).__name__}])
                dead += 1
        lag = max(0.0, time.time() - min(m.timestamp for m in messages))
        try:
            if rows:
                out = self.loaded.score_rows(rows)
                for m, row, result in zip(valid, rows, out):
                    entity = row.get(ENTITY_KEY) if row.get(ENTITY_KEY) is not None else m.key
                    body = {ENTITY_KEY: entity, **result, "model_version": self.loaded.version, "source_position": str(m.position)}
                    self.sink.send(self.output_topic, None if entity is None else str(entity), json.dumps(body).encode("utf-8"))
            self.sink.flush()
        except Exception:
            instrumentation.record_stream(self.topic, self.group, lag, "failed", len(valid))
            raise
        self.source.commit(messages)
        if valid:
            instrumentation.record_stream(self.topic, self.group, lag, "success", len(valid))
            metric("predictions").labels(MODEL, self.loaded.version, "stream").inc(len(valid))
        if dead:
            instrumentation.record_stream(self.topic, self.group, lag, "dead_letter", dead)
        return {"read": len(messages), "scored": len(valid), "dead_letter": dead}

    def run(self, stop: threading.Event, retry_s: float = 5.0) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("micro-batch failed; it will be redelivered")
                stop.wait(retry_s)


def source_and_sink(kind: str = SOURCE_KIND) -> tuple[Any, Any]:
    """The source and sink of the configured platform, from the environment the Deployment sets."""
    if kind == "kafka":
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            raise ConfigError("set KAFKA_BOOTSTRAP_SERVERS")
        options: Dict[str, Any] = {}
        if os.environ.get("KAFKA_SASL_USERNAME"):
            options = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": os.environ["KAFKA_SASL_USERNAME"], "sasl_plain_password": os.environ.get("KAFKA_SASL_PASSWORD", "")}
        topic = os.environ.get("STREAM_TOPIC", TOPIC)
        group = os.environ.get("STREAM_CONSUMER_GROUP", CONSUMER_GROUP)
        return KafkaSource(topic, group, bootstrap, **options), KafkaSink(bootstrap, **options)
    if kind == "kinesis":
        arn = os.environ.get("KINESIS_STREAM_ARN")
        if not arn:
            raise ConfigError("set KINESIS_STREAM_ARN")
        return KinesisSource(arn), KinesisSink()
    raise ConfigError(f"unknown STREAM_KIND {kind!r}")


def main() -> int:
    configure_logging(component="stream-consumer")
    from prometheus_client import start_http_server

    start_http_server(int(os.environ.get(METRICS_PORT_ENV, "9100")))
    source, sink = source_and_sink(os.environ.get("STREAM_KIND", SOURCE_KIND))
    # kserve/seldon: the model server scores (the consumer follows its releases); else the model runs in process.
    server_url = os.environ.get("MODEL_SERVER_URL")
    model: Any = oip.InferenceClient(server_url) if server_url else served.load()
    consumer = Consumer(source, sink, model, topic=os.environ.get("STREAM_TOPIC", TOPIC), group=os.environ.get("STREAM_CONSUMER_GROUP", CONSUMER_GROUP), output_topic=os.environ.get("STREAM_OUTPUT_TOPIC", OUTPUT_TOPIC), micro_batch=int(os.environ.get("STREAM_MICRO_BATCH", MICRO_BATCH)))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        consumer.run(stop)
    finally:
        source.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;
}
