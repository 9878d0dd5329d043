import { ALWAYS_READ } from '../common.js';
import { PHASES } from '../graph.js';
import type { PhaseDefinition } from '../types.js';
import { buildArtifacts } from './artifacts.js';
import { PythonProDecisions } from './decisions.js';
import { derivePyPlan } from './derive.js';
import { buildDocument } from './document.js';

/**
 * python-pro (stage 2): production structure of the ML engineer's code (errors, JSON logging, caching, data
 * loading), performance budgets and memory arithmetic, and the four test layers.
 */
export const pythonPro: PhaseDefinition<'python_pro'> = {
  info: PHASES.python_pro as PhaseDefinition<'python_pro'>['info'],
  reads: [
    ...ALWAYS_READ,
    'problem.type',
    'problem.target',
    'data.entity_key',
    'data.event_timestamp',
    'data.features',
    'slo.p99_latency_ms',
    'scale.batch_size',
    'options.deployment_mode',
    'options.experiment_tracking',
    'options.orchestration',
    // Triton's Python backend runs the package in CPython 3.10: requires-python follows the serving platform.
    'options.serving_platform',
    'team.owner',
  ],
  decisions: PythonProDecisions,
  run({ spec, notes, upstream }) {
    const up = { ml_engineer: upstream.ml_engineer, data_scientist: upstream.data_scientist };
    const plan = derivePyPlan(spec, up);
    return {
      document: buildDocument(pythonPro.info, spec, up, plan, notes),
      decisions: plan.decisions,
      artifacts: buildArtifacts(spec, up, plan),
    };
  },
};
