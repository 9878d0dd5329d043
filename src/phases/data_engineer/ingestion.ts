import type { ResolvedSpec } from '../../spec/resolve.js';
import { pythonPackage } from '../common.js';
import type { SourcePlan } from './derive.js';
import { identifierQuote, quoteIdentifier } from './python/incremental.js';

// Connector configuration per source (data/ingestion/<source>.yaml): the connector's own settings plus the
// landing contract (where, in which format, partitioned how, validated against what). Credentials are never
// written: Kafka Connect resolves ${env:...} through its EnvVarConfigProvider, the other runners read the
// environment variables named under `credentials`.

type ConnectorSettings = Record<string, string | number | boolean | string[] | number[]>;

function envPrefix(source: SourcePlan): string {
  return source.name.toUpperCase();
}

function debezium(spec: ResolvedSpec, s: SourcePlan): { runtime: string; settings: ConnectorSettings } {
  const env = envPrefix(s);
  const common: ConnectorSettings = {
    'database.hostname': `\${env:${env}_DB_HOST}`,
    'database.user': `\${env:${env}_DB_USER}`,
    'database.password': `\${env:${env}_DB_PASSWORD}`,
    'topic.prefix': `${spec.name}.${s.name}`,
    'snapshot.mode': 'initial',
    'tombstones.on.delete': true,
    'heartbeat.interval.ms': 10_000,
    'signal.data.collection': `${s.kind === 'postgres' ? 'public' : `\${env:${env}_DB_NAME}`}.debezium_signal`,
    'incremental.snapshot.chunk.size': 10_000,
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': '${env:SCHEMA_REGISTRY_URL}',
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': '${env:SCHEMA_REGISTRY_URL}',
    'errors.tolerance': 'none',
  };
  if (s.kind === 'postgres') {
    return {
      runtime: 'kafka-connect',
      settings: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.port': 5432,
        'database.dbname': `\${env:${env}_DB_NAME}`,
        'plugin.name': 'pgoutput',
        'slot.name': `${pythonPackage(spec)}_${s.name}`.slice(0, 63),
        'publication.name': `${s.name}_publication`,
        'table.include.list': `public.${s.name}`,
        ...common,
      },
    };
  }
  // A stable server id in Debezium's recommended range, derived from the names so two pipelines differ.
  const serverId = 5400 + ([...`${spec.name}.${s.name}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100_000, 7) % 1000);
  return {
    runtime: 'kafka-connect',
    settings: {
      'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
      'database.port': 3306,
      'database.server.id': serverId,
      'database.include.list': `\${env:${env}_DB_NAME}`,
      'table.include.list': `\${env:${env}_DB_NAME}.${s.name}`,
      'schema.history.internal.kafka.bootstrap.servers': '${env:KAFKA_BOOTSTRAP_SERVERS}',
      'schema.history.internal.kafka.topic': `${spec.name}.${s.name}.schema-history`,
      'include.schema.changes': true,
      ...common,
    },
  };
}

function connectorSettings(spec: ResolvedSpec, s: SourcePlan): { runtime: string; settings: ConnectorSettings; credentials: string[] } {
  const env = envPrefix(s);
  // Identifiers are quoted (names such as "order" or "from" are reserved words); the bounds stay bind parameters.
  const q = (name: string) => quoteIdentifier(name, identifierQuote(s.kind));
  switch (s.connector) {
    case 'debezium-postgres':
    case 'debezium-mysql': {
      const d = debezium(spec, s);
      return { ...d, credentials: [`${env}_DB_HOST`, `${env}_DB_USER`, `${env}_DB_PASSWORD`, `${env}_DB_NAME`, 'SCHEMA_REGISTRY_URL'] };
    }
    case 'kafka-consumer':
    case 'kafka-batch-consumer':
      return {
        runtime: s.connector === 'kafka-consumer' ? 'stream-consumer' : 'batch-job',
        settings: {
          topics: [s.name],
          'group.id': `${spec.name}-ingest-${s.name}`,
          'auto.offset.reset': 'earliest',
          'enable.auto.commit': false,
          'isolation.level': 'read_committed',
          'max.poll.records': 5000,
        },
        credentials: ['KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
      };
    case 'kinesis-consumer':
    case 'kinesis-batch-consumer':
      return {
        runtime: s.connector === 'kinesis-consumer' ? 'stream-consumer' : 'batch-job',
        settings: {
          stream_name: s.name,
          application_name: `${spec.name}-ingest-${s.name}`,
          initial_position: 'TRIM_HORIZON',
          checkpoint_interval_seconds: 60,
          enhanced_fan_out: s.rows_per_day >= 100_000_000,
        },
        credentials: ['AWS_REGION', 'AWS_ROLE_ARN'],
      };
    case 'incremental-sql':
    case 'snowflake-stream':
    case 'bigquery-change-history':
      return {
        runtime: 'batch-job',
        settings: {
          query:
            s.connector === 'snowflake-stream'
              ? `SELECT * FROM ${q(`${s.name}_changes`)}`
              : s.connector === 'bigquery-change-history'
                ? `SELECT * FROM CHANGES(TABLE ${q(s.name)}, @watermark_low, @watermark_high)`
                : `SELECT * FROM ${q(s.name)} WHERE ${q(s.watermark_column)} > @watermark_low AND ${q(s.watermark_column)} <= @watermark_high`,
          fetch_size: 50_000,
          watermark_column: s.watermark_column,
          late_overlap_minutes: s.late_overlap_minutes,
        },
        credentials: s.kind === 'snowflake' ? ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_PRIVATE_KEY'] : s.kind === 'bigquery' ? ['GOOGLE_APPLICATION_CREDENTIALS', 'BIGQUERY_PROJECT'] : [`${env}_DB_HOST`, `${env}_DB_USER`, `${env}_DB_PASSWORD`, `${env}_DB_NAME`],
      };
    case 'object-listing':
    case 'object-event-notifications':
      return {
        runtime: s.connector === 'object-listing' ? 'batch-job' : 'stream-consumer',
        settings: {
          prefix: `${s.name}/`,
          include_pattern: '*.parquet|*.json|*.json.gz|*.csv|*.avro',
          watermark: 'last_modified',
          notifications: s.kind === 's3' ? 'S3 event notifications to SQS' : s.kind === 'gcs' ? 'Pub/Sub notifications' : 'Event Grid subscription',
        },
        credentials: [`${env}_BUCKET`],
      };
    case 'incremental-api':
    case 'webhook-receiver':
      return {
        runtime: s.connector === 'incremental-api' ? 'batch-job' : 'stream-consumer',
        settings: {
          endpoint: `\${${env}_API_URL}`,
          pagination: 'cursor',
          updated_since_parameter: 'updated_since',
          max_requests_per_second: 10,
          retry_backoff_seconds: [1, 4, 16, 60],
        },
        credentials: [`${env}_API_URL`, `${env}_API_TOKEN`],
      };
    default:
      return {
        runtime: s.connector === 'file-watcher' ? 'stream-consumer' : 'batch-job',
        settings: { landing_directory: `/landing/${s.name}`, include_pattern: '*.csv|*.json|*.parquet', manifest: `/landing/${s.name}/_processed.manifest` },
        credentials: [],
      };
  }
}

/** The whole config document for one source. */
export function ingestionConfig(spec: ResolvedSpec, s: SourcePlan, schemaPath: string, gatesPath: string): Record<string, unknown> {
  const c = connectorSettings(spec, s);
  return {
    source: s.name,
    kind: s.kind,
    ingestion: {
      mode: s.ingestion,
      mode_origin: s.ingestion_origin,
      connector: s.connector,
      runtime: c.runtime,
      schedule: s.schedule,
      batch_interval_hours: s.batch_interval_hours ?? undefined,
      offset_tracking: s.offset_tracking,
      backfill_method: s.backfill_method,
    },
    connector: s.connector.startsWith('debezium') ? { name: `${spec.name}-${s.name}-cdc`, config: c.settings } : { settings: c.settings },
    credentials_from_env: c.credentials,
    landing: {
      raw_uri: s.raw_uri,
      processed_uri: s.processed_uri,
      raw_format: 'avro',
      processed_format: 'parquet',
      compression: 'zstd',
      partitioning: { granularity: s.partitioning.granularity, keys: s.partitioning.keys, from_column: s.watermark_column },
      merge_keys: [spec.data.entity_key, spec.data.event_timestamp],
      flush: s.batch_interval_hours === null ? { max_minutes: 5, max_rows: 500_000 } : undefined,
    },
    validation: { contract: schemaPath, gates: gatesPath, freshness_minutes: s.freshness_minutes, expected_rows_per_day: s.rows_per_day },
    lineage: { job: `ingest_${s.name}` },
  };
}
