import type { ProblemType } from '../../spec/schema.js';

/**
 * Algorithm families the training pipeline knows how to tune. The data scientist names the algorithm in free
 * words (e.g. "gradient_boosting", "xgboost", "two_tower"); this module maps them onto a family with a search
 * space and the figures the time estimate needs.
 */
export type FamilyId = 'gradient_boosting' | 'random_forest' | 'linear' | 'isolation_forest' | 'factorization' | 'two_tower' | 'neural_network' | 'statistical_forecast';

export interface SearchParam {
  name: string;
  kind: 'int' | 'float' | 'categorical';
  low?: number;
  high?: number;
  log?: boolean;
  choices?: string[];
  /** Why the range is what it is (shown in the document). */
  why: string;
}

export interface FamilyProfile {
  id: FamilyId;
  label: string;
  /** Matrix cells (rows × encoded columns) one fit processes per minute on the 16-vCPU reference node. */
  cellsPerMinute: number;
  /** Speed-up of one GPU over the reference node; 1 = the family does not use GPUs. */
  gpuSpeedup: number;
  /** Training is iterative in epochs or boosting rounds that a pruner can cut short. */
  iterative: boolean;
  /** The family trains with PyTorch (DDP applies natively). */
  torch: boolean;
}

export const FAMILIES: Record<FamilyId, FamilyProfile> = {
  gradient_boosting: { id: 'gradient_boosting', label: 'gradient-boosted trees', cellsPerMinute: 7e7, gpuSpeedup: 8, iterative: true, torch: false },
  random_forest: { id: 'random_forest', label: 'random forest', cellsPerMinute: 5e7, gpuSpeedup: 1, iterative: false, torch: false },
  linear: { id: 'linear', label: 'regularised linear model', cellsPerMinute: 1e9, gpuSpeedup: 1, iterative: false, torch: false },
  isolation_forest: { id: 'isolation_forest', label: 'isolation forest', cellsPerMinute: 3e8, gpuSpeedup: 1, iterative: false, torch: false },
  factorization: { id: 'factorization', label: 'matrix factorisation (ALS)', cellsPerMinute: 2e8, gpuSpeedup: 10, iterative: true, torch: false },
  two_tower: { id: 'two_tower', label: 'two-tower retrieval network', cellsPerMinute: 3e7, gpuSpeedup: 15, iterative: true, torch: true },
  neural_network: { id: 'neural_network', label: 'neural network', cellsPerMinute: 3e7, gpuSpeedup: 15, iterative: true, torch: true },
  statistical_forecast: { id: 'statistical_forecast', label: 'statistical forecasting model', cellsPerMinute: 1e8, gpuSpeedup: 1, iterative: false, torch: false },
};

// Order matters: the first pattern that matches the upstream words wins.
const FAMILY_PATTERNS: [FamilyId, RegExp][] = [
  ['isolation_forest', /isolation/i],
  ['two_tower', /two[-_ ]?tower|dual[-_ ]?encoder|retrieval/i],
  ['factorization', /\bals\b|_als\b|\bals_|matrix[-_ ]?factori|implicit|collaborative/i],
  ['gradient_boosting', /boost|gbm|gbdt|gbt|lightgbm|xgb|catboost|lambdamart/i],
  ['random_forest', /random[-_ ]?forest|extra[-_ ]?trees/i],
  ['statistical_forecast', /arima|prophet|ets\b|exponential[-_ ]?smoothing|holt/i],
  ['neural_network', /neural|mlp|lstm|transformer|tft|deepar|nbeats|n-beats|cnn|torch|deep/i],
  ['linear', /linear|logistic|ridge|lasso|elastic|glm|sgd/i],
];

const FALLBACK: Record<ProblemType, FamilyId> = {
  binary_classification: 'gradient_boosting',
  multiclass_classification: 'gradient_boosting',
  regression: 'gradient_boosting',
  ranking: 'gradient_boosting',
  forecasting: 'gradient_boosting',
  anomaly_detection: 'isolation_forest',
  recommendation: 'factorization',
};

/** The family of an algorithm named in free words; the problem type's usual family when nothing matches. */
export function classifyFamily(words: readonly string[], problem: ProblemType): { family: FamilyId; matched: boolean } {
  for (const w of words) {
    const hit = FAMILY_PATTERNS.find(([, re]) => re.test(w));
    if (hit) return { family: hit[0], matched: true };
  }
  return { family: FALLBACK[problem], matched: false };
}

export interface SearchSpaceContext {
  problem: ProblemType;
  /** Rows one HPO trial trains on. */
  hpoRows: number;
  /** Share of positive labels when the spec gives it (imbalanced classification). */
  positiveRate?: number;
  /** Encoded model input width. */
  featureColumns: number;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The search space of a family, with ranges scaled to the data the trials see. */
export function searchSpace(family: FamilyId, ctx: SearchSpaceContext): SearchParam[] {
  const classification = ctx.problem === 'binary_classification' || ctx.problem === 'multiclass_classification';
  switch (family) {
    case 'gradient_boosting': {
      // Deeper trees and more rounds only pay off with more rows; min_child_weight scales with the trial sample.
      const maxDepth = ctx.hpoRows >= 1_000_000 ? 12 : ctx.hpoRows >= 100_000 ? 10 : 8;
      const maxRounds = ctx.hpoRows >= 1_000_000 ? 3000 : 1000;
      const space: SearchParam[] = [
        { name: 'learning_rate', kind: 'float', low: 0.005, high: 0.3, log: true, why: 'step size spans two orders of magnitude: log-uniform' },
        { name: 'max_depth', kind: 'int', low: 3, high: maxDepth, why: `${maxDepth} at most for ${ctx.hpoRows.toLocaleString('en-US')} trial rows` },
        { name: 'n_estimators', kind: 'int', low: 100, high: maxRounds, log: true, why: 'boosting rounds; early stopping on the validation fold cuts them short' },
        { name: 'subsample', kind: 'float', low: 0.5, high: 1.0, why: 'row sampling per tree' },
        { name: 'colsample_bytree', kind: 'float', low: 0.4, high: 1.0, why: `column sampling over ${ctx.featureColumns} encoded columns` },
        { name: 'min_child_weight', kind: 'float', low: 1, high: round(Math.max(10, ctx.hpoRows / 10_000), 0), log: true, why: 'leaf size floor grows with the sample (trial rows / 10,000)' },
        { name: 'reg_lambda', kind: 'float', low: 0.001, high: 10, log: true, why: 'L2 regularisation' },
      ];
      if (ctx.problem === 'binary_classification' && ctx.positiveRate !== undefined) {
        const ratio = round((1 - ctx.positiveRate) / ctx.positiveRate, 1);
        space.push({ name: 'scale_pos_weight', kind: 'float', low: 1, high: Math.max(1.5, ratio), log: true, why: `up to the negative/positive ratio (1 − ${ctx.positiveRate}) / ${ctx.positiveRate} = ${ratio}` });
      }
      if (ctx.problem === 'ranking') space.push({ name: 'objective', kind: 'categorical', choices: ['rank:ndcg', 'rank:pairwise'], why: 'LambdaMART listwise vs pairwise loss' });
      return space;
    }
    case 'random_forest':
      return [
        { name: 'n_estimators', kind: 'int', low: 100, high: 1000, log: true, why: 'more trees lower variance until it plateaus' },
        { name: 'max_depth', kind: 'int', low: 4, high: 32, why: 'depth bound' },
        { name: 'min_samples_leaf', kind: 'int', low: 1, high: Math.max(2, Math.round(ctx.hpoRows / 100_000)), log: true, why: 'leaf size floor grows with the sample' },
        { name: 'max_features', kind: 'float', low: 0.2, high: 1.0, why: `share of ${ctx.featureColumns} columns per split` },
      ];
    case 'linear': {
      const space: SearchParam[] = [
        { name: 'C', kind: 'float', low: 0.0001, high: 100, log: true, why: 'inverse regularisation over six orders of magnitude: log-uniform' },
        { name: 'penalty', kind: 'categorical', choices: ['l1', 'l2', 'elasticnet'], why: 'sparsity vs shrinkage' },
        { name: 'l1_ratio', kind: 'float', low: 0, high: 1, why: 'elastic-net mix (used when penalty is elasticnet)' },
      ];
      if (classification) space.push({ name: 'class_weight', kind: 'categorical', choices: ['none', 'balanced'], why: 'reweight classes by frequency' });
      return space;
    }
    case 'isolation_forest': {
      const expected = ctx.positiveRate;
      const low = expected !== undefined ? round(Math.max(0.0001, expected / 2), 4) : 0.001;
      const high = expected !== undefined ? round(Math.min(0.5, expected * 2), 4) : 0.05;
      return [
        { name: 'n_estimators', kind: 'int', low: 100, high: 1000, log: true, why: 'number of isolation trees' },
        { name: 'max_samples', kind: 'int', low: 256, high: Math.max(512, Math.min(ctx.hpoRows, 100_000)), log: true, why: 'sub-sample per tree: 256 (the paper default) up to min(trial rows, 100,000)' },
        { name: 'contamination', kind: 'float', low, high, log: true, why: expected !== undefined ? `half to twice the expected anomaly rate ${expected}` : 'no anomaly rate in the spec: 0.1 % to 5 %' },
        { name: 'max_features', kind: 'float', low: 0.5, high: 1.0, why: 'share of columns per tree' },
      ];
    }
    case 'factorization':
      return [
        { name: 'factors', kind: 'int', low: 16, high: 256, log: true, why: 'latent dimension' },
        { name: 'regularization', kind: 'float', low: 0.0001, high: 1, log: true, why: 'L2 on the factors' },
        { name: 'alpha', kind: 'float', low: 1, high: 100, log: true, why: 'confidence weight of implicit feedback' },
        { name: 'iterations', kind: 'int', low: 10, high: 50, why: 'ALS sweeps' },
      ];
    case 'two_tower':
      return [
        { name: 'embedding_dim', kind: 'int', low: 32, high: 256, log: true, why: 'tower output dimension' },
        { name: 'learning_rate', kind: 'float', low: 0.00001, high: 0.01, log: true, why: 'Adam step size' },
        { name: 'regularization', kind: 'float', low: 0.000001, high: 0.01, log: true, why: 'weight decay' },
        { name: 'negatives_per_positive', kind: 'int', low: 1, high: 64, log: true, why: 'sampled negatives in the softmax' },
        { name: 'temperature', kind: 'float', low: 0.01, high: 1, log: true, why: 'softmax temperature' },
      ];
    case 'neural_network':
      return [
        { name: 'learning_rate', kind: 'float', low: 0.00001, high: 0.01, log: true, why: 'Adam step size' },
        { name: 'batch_size', kind: 'categorical', choices: ['256', '512', '1024', '2048'], why: 'powers of two for GPU kernels' },
        { name: 'hidden_units', kind: 'int', low: 64, high: 1024, log: true, why: 'width of hidden layers' },
        { name: 'num_layers', kind: 'int', low: 1, high: 4, why: 'depth' },
        { name: 'dropout', kind: 'float', low: 0, high: 0.5, why: 'regularisation' },
        { name: 'weight_decay', kind: 'float', low: 0.000001, high: 0.01, log: true, why: 'L2 on the weights' },
      ];
    case 'statistical_forecast':
      return [
        { name: 'changepoint_prior_scale', kind: 'float', low: 0.001, high: 0.5, log: true, why: 'trend flexibility' },
        { name: 'seasonality_prior_scale', kind: 'float', low: 0.01, high: 10, log: true, why: 'seasonality strength' },
        { name: 'seasonality_mode', kind: 'categorical', choices: ['additive', 'multiplicative'], why: 'how seasonality combines with the trend' },
      ];
  }
}
