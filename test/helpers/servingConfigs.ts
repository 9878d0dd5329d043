import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { defaultSpec, richSpec, withPatch } from './specs.js';

/** The config.pbtxt files the generator writes for a CPU tree model and a GPU deep-learning model. */
export function tritonConfig(): string[] {
  const specs = [withPatch(defaultSpec(), { options: { serving_platform: 'triton' } }), richSpec(), withPatch(defaultSpec(), { options: { serving_platform: 'triton' }, problem: { type: 'recommendation' }, scale: { serving_gpus: 1, training_gpus: 2 } })];
  return specs.flatMap((s) => runAllPhases(s, 'mlops_engineer').artifacts.filter((a) => a.kind === 'triton-config').map((a) => a.content));
}
