import { resolveSpec, type ResolvedSpec } from '../../../src/spec/resolve.js';
import { HOSTILE_TEXT } from '../../helpers/phaseHarness.js';

/** Three sources of three ingestion kinds whose column names are Python keywords, BaseModel attributes or type names. */
export function hostileNamesSpec(): ResolvedSpec {
  return resolveSpec({
    name: 'hostile-names',
    requirements: 'Classify orders into fulfilment classes',
    problem: { type: 'multiclass_classification', target: 'validate' },
    data: {
      sources: [
        { name: 'class', kind: 'postgres', ingestion: 'batch', rows_per_day: 50_000 },
        { name: 'import', kind: 'kafka', rows_per_day: 5_000_000 },
        { name: 'orders', kind: 'mysql' },
      ],
      entity_key: 'from',
      event_timestamp: 'model_time',
      features: [
        { name: 'json', type: 'numeric', min: -1.5, max: 1, source: 'class' },
        { name: 'schema', type: 'categorical', categories: [HOSTILE_TEXT, 'a"b', "c'd", 'e\\f'], source: 'class' },
        { name: 'float', type: 'boolean', nullable: true, source: 'class' },
        { name: 'copy', type: 'text', source: 'import' },
        { name: 'dict', type: 'timestamp', nullable: true, source: 'import' },
        { name: 'model_config', type: 'integer', min: 0, source: 'orders' },
        { name: 'lambda', type: 'categorical', source: 'orders' },
      ],
    },
  });
}
