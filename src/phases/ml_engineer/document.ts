import { code, num, pct, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { beginDocument } from '../common.js';
import type { PhaseInfo } from '../graph.js';
import type { TrainingConfigFile } from './config.js';
import { gateThresholdText } from './decisions.js';
import { BUILTIN_BASELINES, RULES, type MlPlan, type MlUpstream } from './derive.js';
import { FAMILIES, type FamilyId } from './families.js';

const FAMILIES_LABEL = (f: FamilyId) => FAMILIES[f].label;
import { rollbackBudget, servingTarget } from './rollback.js';

const f1 = (v: number) => num(v, v < 10 ? 2 : 1);
const rows = (v: number) => (v >= 1e9 ? `${num(v / 1e9, 1)} B` : v >= 1e6 ? `${num(v / 1e6, v % 1e6 === 0 ? 0 : 1)} M` : num(v));

const CHARTS: Record<string, string[]> = {
  binary_classification: ['ROC curve', 'precision-recall curve', 'calibration plot (10 bins)', 'confusion matrix at the operating threshold', 'feature importance (gain)'],
  multiclass_classification: ['per-class confusion matrix', 'per-class precision-recall curves', 'feature importance (gain)'],
  regression: ['predicted vs actual', 'residuals vs predicted', 'absolute error by target decile', 'feature importance'],
  forecasting: ['forecast vs actual per horizon day', 'error by horizon day', 'residual autocorrelation', 'feature importance'],
  ranking: ['NDCG@k for k = 1..20', 'score distribution per relevance grade', 'feature importance'],
  anomaly_detection: ['anomaly-score histogram with the contamination cut-off', 'precision@k on labelled incidents', 'score by hour of day'],
  recommendation: ['recall@k and coverage for k = 5..100', 'popularity-bias plot (recommended vs catalogue popularity)', 'embedding norm distribution'],
};

export function buildDocument(info: PhaseInfo, spec: ResolvedSpec, up: MlUpstream, plan: MlPlan, config: TrainingConfigFile, notes?: string): string {
  const d = plan.decisions;
  const ds = up.data_scientist;
  const de = up.data_engineer;
  const v = plan.volume;
  const t = plan.timing;
  const doc = beginDocument(info, spec, notes);
  doc.paragraph(
    `Inputs: the data scientist chose ${text(ds.algorithm.family)} (${text(ds.algorithm.library)}; candidates ${ds.algorithm.candidates.map((c) => text(c)).join(', ') || 'none'}), metric ${code(ds.primary_metric)} (${ds.metric_direction}), promotion threshold ${ds.promotion_rule === 'absolute' ? code(ds.promotion_threshold) : `${code(ds.promotion_threshold)} × the baseline measured in each training run (${code(ds.promotion_rule)})`}, a ${num(ds.training_data.window_days)}-day training window split ${text(ds.training_data.split)}; the data engineer delivers ${rows(de.total_rows_per_day)} rows/day to ${code(de.layers.features.uri)} (${text(de.layers.features.format)}), versioned with ${code(de.versioning.tool)}.`,
  );

  // 1. Training pipeline
  doc.heading(2, '1. Training pipeline');
  doc.heading(3, 'Modular training code with clear interfaces');
  doc.paragraph(
    `The run loop (${code(`ml/src/${plan.pkg}/training/pipeline.py`)}) only talks to five ${code('typing.Protocol')} interfaces, so each step is swapped or tested alone and the algorithm never leaks into orchestration code:`,
  );
  doc.table(
    ['Step', 'Protocol', 'Contract', 'This pipeline'],
    [
      ['load', code('DataLoader.load(data_version) -> Dataset'), 'one data version, the columns below', `${code(de.versioning.tool)} revision of ${code(de.layers.features.uri)}`],
      ['preprocess', code('Preprocessor.fit / transform'), 'fitted inside each fold only (no leakage)', `${v.features.length} features → ${v.featureColumns} encoded columns`],
      ['train', code('Trainer.fit(X, y, params) -> Model'), 'one algorithm family, given hyper-parameters', `${text(plan.profile.label)}${plan.familyMatched ? '' : ' (fallback for the problem type: upstream words did not name a known family)'}`],
      ['evaluate', code('Evaluator.evaluate(model, X, y)'), 'primary + secondary metrics', `${code(ds.primary_metric)}, ${ds.secondary_metrics.map((m) => code(m)).join(', ') || 'no secondary metrics'}`],
      ['ensemble', code('Ensembler.combine(members)'), 'refitted members → one model', `${code(d.ensemble.method)} over ${d.ensemble.members.length} member(s)`],
    ],
  );
  doc.paragraph(
    `Data volume: ${rows(v.rowsPerDay)} rows/day × ${num(v.windowDays)} days = ${rows(v.windowRows)} rows in the window. ${
      v.sampled
        ? `One run fits on at most ${rows(v.sampleCap)} rows (${spec.scale.training_gpus > 0 ? `${rows(RULES.gpuSampleCapPerGpu)} per GPU × ${spec.scale.training_gpus}` : `${rows(RULES.cpuSampleCap)} on CPU`}, never below the upstream minimum of ${rows(v.minRows)}): a ${spec.problem.type.includes('classification') ? 'class-stratified' : 'most-recent-first'} sample of ${rows(v.sampleRows)} rows.`
        : `All ${rows(v.sampleRows)} rows fit in one run (cap ${rows(v.sampleCap)}).`
    } Encoded width per feature:`,
  );
  doc.table(
    ['Feature', 'Type', 'Upstream transform', 'Columns', 'Why'],
    v.features.map((f) => [code(f.name), f.type, text(f.transform), f.columns, f.why]),
  );
  doc.paragraph(
    `Total ${code(v.featureColumns)} columns; as float32 with the target the training matrix is ${rows(v.sampleRows)} × ${v.featureColumns + 1} × 4 B = ${f1(v.matrixGib)} GiB. ${ds.protected_attributes.length > 0 ? `Protected attributes ${ds.protected_attributes.map((a) => code(a)).join(', ')} are loaded for the bias checks and never enter the model.` : 'No protected attributes are declared.'}`,
  );
  doc.paragraph(
    `Schedule: ${code(spec.scale.training_schedule)} runs ${plan.period.label} (every ${f1(plan.period.periodHours)} h), driven by ${code(plan.orchestration.name)}: ${text(plan.orchestration.kind)} (option ${code(`orchestration = ${spec.options.orchestration}`)}, file ${code(plan.orchestration.file)}). Every task executes the same container entrypoint ${code(`python -m ${plan.pkg}.training --config configs/training.yaml --data-version REV --git-sha SHA`)}; the concrete steps plug in through a factory ${code(`${plan.pkg}.steps:build_steps`)} returning the five Protocol implementations.`,
  );

  doc.heading(3, 'Hyper-parameter optimisation (Optuna/Ray Tune)');
  doc.paragraph(
    `Tool: ${code(d.hpo.tool)}: ${plan.hpoWhy}. Rule (not in the source document): Optuna unless ${code('scale.training_gpus')} > 1, where Ray Tune's per-GPU trial placement keeps every GPU busy. Search algorithm ${code(d.hpo.sampler)}; study state in ${code(d.hpo.storage)} so parallel workers share one study and a preempted run resumes.`,
  );
  doc.paragraph(
    `Budget from the schedule: a run may take ${num(RULES.budgetShareOfPeriod * 100)} % of the ${f1(plan.period.periodHours)} h interval, at most ${num(RULES.budgetCeilingMinutes)} min → ${code(`${plan.budgetMinutes} min`)}; HPO gets ${num(RULES.hpoShareOfBudget * 100)} % → timeout ${code(`${d.hpo.timeout_minutes} min`)}, shared by the ${plan.members.length} ensemble member(s) in proportion to their work. Trials train on a ${rows(v.hpoRows)}-row subsample (cap ${rows(RULES.hpoRowsCap)}): one fit = ${rows(v.hpoRows)} rows × ${v.featureColumns} columns / (family throughput × speed-up of a ${spec.scale.training_gpus > 0 ? '1-GPU' : `${RULES.trialCpus}-vCPU`} trial pod against the 16-vCPU reference), one trial = ${d.cross_validation.folds} − 1 fits (every fold trains on the other folds).`,
  );
  doc.table(
    ['Member', 'Family', 'Params', 'Fit (min)', 'Trial (min)', 'Target trials', 'Trials', 'Timeout (min)'],
    plan.members.map((m) => [code(m.name), text(FAMILIES_LABEL(m.family)), m.space.length, f1(m.fitMinutesHpo), f1(m.trialMinutes), m.target, m.trials, m.timeoutMinutes]),
  );
  doc.paragraph(
    `Target ${RULES.trialsPerParam} trials per tuned parameter (bounded ${RULES.minTrials}..${RULES.maxTrials}) = ${t.trialsTarget} in all, ${f1(t.workTrialMinutes)} trial-minutes of work; with ${code(d.hpo.parallel_trials)} in parallel the ${d.hpo.timeout_minutes}-min timeout allows ${t.trialScale >= 1 ? 'all of them' : `${pct(t.trialScale * 100)} of them`} → ${code(d.hpo.trials)} trials, about ${f1(t.hpoMinutes)} min. Pruner ${code(d.hpo.pruner)}: ${
      d.hpo.pruner === 'median'
        ? `each trial reports its running CV mean after every fold; a trial below the median of earlier trials at the same fold stops (first ${Math.max(5, d.hpo.parallel_trials)} trials never pruned).`
        : d.hpo.pruner === 'hyperband'
          ? 'epochs are the resource; Hyperband brackets with reduction factor 3 stop weak trials after few epochs.'
          : 'ASHA with grace period 1 fold and reduction factor 3 stops the weakest third at each rung.'
    } Search space of the primary member ${code(plan.members[0]?.name ?? plan.family)} (${code(d.code.search_space)} holds every member's):`,
  );
  doc.table(
    ['Parameter', 'Kind', 'Range', 'Scale', 'Why'],
    plan.space.map((p) => [
      code(p.name),
      p.kind,
      p.kind === 'categorical' ? (p.choices ?? []).map((c) => code(c)).join(', ') : `${p.low} … ${p.high}`,
      p.log ? 'log' : 'linear',
      p.why,
    ]),
  );

  doc.heading(3, 'Distributed training support (Horovod/PyTorch DDP)');
  if (d.distributed.enabled) {
    doc.paragraph(
      `${code(`scale.training_gpus = ${spec.scale.training_gpus}`)} > 1: training runs in ${d.distributed.workers * d.distributed.gpus_per_worker} processes, launched with ${code(`torchrun --nnodes=${d.distributed.workers} --nproc_per_node=${d.distributed.gpus_per_worker}`)} (${d.distributed.workers} worker node(s) × ${d.distributed.gpus_per_worker} GPU(s), at most ${RULES.gpusPerNode} GPUs per node); ${code('training/distributed.py')} joins them in one ${code('torch.distributed')} group (NCCL on GPUs, gloo on CPUs) and only rank 0 tracks and writes the model, card and metrics. ${
        d.hpo.members.some((m) => FAMILIES[m.family as FamilyId]?.torch)
          ? 'Data parallel (a member is a PyTorch network): every process runs the same steps with the same seeds; each fit of a torch member trains on the process\'s equal share of the rows inside DistributedDataParallel, gradients all-reduced every step, so the replicas stay identical; HPO trials run one at a time in every process.'
          : `Trial parallel (${text(plan.profile.label)} are not a PyTorch model): each process runs its share of every member's HPO trials with its own sampler seed, the best parameters over all processes are gathered, and rank 0 refits, evaluates and writes. The search runs in the processes' memory, not in the shared study storage.`
      } Horovod is not used: torchrun ships with PyTorch and needs no MPI.`,
    );
  } else {
    doc.paragraph(
      `${code(`scale.training_gpus = ${spec.scale.training_gpus}`)}: no distributed launcher (${code('launcher: none')}). ${spec.scale.training_gpus === 1 ? 'The single GPU trains in-process.' : 'CPU training uses the threads of one pod.'} The config keeps a ${code('distributed')} block so that raising the GPU count switches to ${code('torchrun')} DDP without code changes.`,
    );
  }
  doc.paragraph(
    `Resources of the final fit: ${code(`${d.training.cpu} vCPU`)}, ${code(d.training.memory)} (matrix ${f1(v.matrixGib)} GiB × 4 copies (raw frame, encoded frame, library matrix, fold copy) + 4 GiB runtime, rounded up to 4 Gi), ${code(`${d.training.gpus} GPU`)}. Time: refitting ${plan.members.map((m) => `${code(m.name)} ${rows(v.sampleRows)} × ${v.featureColumns} / (${num(FAMILIES[m.family].cellsPerMinute / 1e6)} M cells/min × ${f1(m.finalSpeedup)}) = ${f1(m.fitMinutesFull)} min`).join(', ')} → ${f1(t.finalMinutes)} min; total ${f1(t.hpoMinutes)} (HPO) + ${f1(t.finalMinutes)} (refit) + ${RULES.overheadMinutes} (load, evaluate, register) ≈ ${code(`${d.training.expected_minutes} min`)}, hard limit ${code(`${d.training.timeout_minutes} min`)}.`,
  );

  doc.heading(3, 'Cross-validation and ensembling');
  doc.paragraph(`Cross-validation ${code(d.cross_validation.strategy)}, ${code(d.cross_validation.folds)} folds: ${text(plan.cvWhy)}.`);
  if (d.ensemble.baselines.length > 0) {
    doc.paragraph(`Reference models ${d.ensemble.baselines.map((b) => code(b)).join(', ')} (upstream candidates that are baselines to beat) are scored on the same folds every run and logged as ${code(`baseline/{name}/${ds.primary_metric}`)} when the steps factory provides a trainer for them (or the pipeline has a built-in one); they are never ensemble members.`);
  }
  doc.paragraph(
    `Ensemble: ${code(d.ensemble.method)} over ${d.ensemble.members.map((m) => code(m)).join(', ')}. Members are capped at ${plan.ensembleMemberCap} because ${
      spec.options.deployment_mode === 'batch'
        ? `deployment mode ${code('batch')} has no online latency budget`
        : `p99 latency ${code(`${spec.slo.p99_latency_ms} ms`)} (≥ 100 ms → 3 members, ≥ 50 ms → 2, below → 1) and members score one after another`
    }. ${
      d.ensemble.method === 'stacking_logistic_oof'
        ? `A logistic-regression meta-learner is trained on the members' out-of-fold predictions (${rows(v.sampleRows)} rows ≥ 100 k give enough out-of-fold rows).`
        : d.ensemble.method === 'single_model'
          ? 'With one member the best tuned model is used as is.'
          : 'Weights come from the members\u2019 CV scores, computed on out-of-fold predictions only.'
    }`,
  );

  // 2. Experiment tracking
  doc.heading(2, '2. Experiment tracking');
  doc.heading(3, 'MLflow/Weights & Biases integration');
  doc.paragraph(
    `Option ${code(`experiment_tracking = ${spec.options.experiment_tracking}`)}: tracking URI ${code(d.tracking.tracking_uri)}, project ${code(d.tracking.project)}, experiment ${code(d.tracking.experiment_name)}, artifacts under ${code(d.tracking.artifact_uri)}. ${code(`ml/src/${plan.pkg}/training/tracking.py`)} defines a ${code('Tracker')} Protocol, the ${code(d.tracking.backend)} adapter (SDK imported lazily) and a ${code('LocalFileTracker')} writing JSON lines to ${code(d.tracking.local_dir)} when the SDK or server is unavailable (CI, tests, offline drills).`,
  );
  doc.heading(3, 'Metric logging and visualisation');
  const folds = Array.from({ length: d.cross_validation.folds }, (_, i) => i);
  doc.table(
    ['Metric key', 'When', 'Why'],
    [
      [code(`cv/{member}/${ds.primary_metric}/fold_{${folds.join(',')}}`), 'per fold, step = fold', 'fold spread shows instability the mean hides'],
      [code(`cv/{member}/${ds.primary_metric}/mean`) + ', ' + code('…/std'), 'after the folds', 'what HPO and the gate compare'],
      [code('hpo/{member}/best') + ', ' + code('hpo/{member}/trials'), 'after each study', `${d.hpo.trials} trials budgeted`],
      ...(d.ensemble.baselines.length > 0 || d.registry.promotion_gate.rule === 'relative_to_baseline'
        ? [[code(`baseline/{name}/${ds.primary_metric}`), 'after the members, same folds', d.registry.promotion_gate.rule === 'relative_to_baseline' ? `the relative promotion gate's reference (${code(d.registry.promotion_gate.baseline_model ?? '')})` : 'reference to beat']]
        : []),
      ...ds.secondary_metrics.map((m) => [code(`holdout/${m}`), 'final model', 'secondary guard of the promotion gate']),
      [code('train/minutes'), 'end of run', `compared with the ${d.training.timeout_minutes}-min limit`],
    ],
  );
  doc.paragraph(`Charts logged for a ${spec.problem.type.replace(/_/g, ' ')} problem: ${(CHARTS[spec.problem.type] ?? []).join('; ')}.`);
  doc.heading(3, 'Artifact management (models, charts, data samples)');
  doc.table(
    ['Artifact', 'Content', 'Kind'],
    [
      ['model', `the ensemble as one serialised model plus ${code('MLmodel')}-style signature (${v.featureColumns} inputs)`, code('model')],
      ['charts', 'the PNG/HTML charts listed above', code('charts')],
      ['data sample', `1,000 training rows and 1,000 validation rows as Parquet${ds.protected_attributes.length ? ', protected attributes dropped' : ''}, to debug schema and drift issues later`, code('data_samples')],
      ['study', `all ${d.hpo.trials} trials with parameters and per-fold values`, code('hpo')],
      ['config', `${code('configs/training.yaml')} and ${code('configs/hpo_search_space.json')} as run`, code('config')],
    ],
  );
  doc.heading(3, 'Experiment comparison and analysis tools');
  doc.paragraph(
    `Run names ${code(`${plan.family}-{data_version:12}-{git_sha:7}`)} make runs of the same data or code sort together; tags ${code('git_sha')}, ${code('data_version')}, ${code('feature_schema')}, ${code('algorithm')} are the comparison axes. Tooling: ${text(d.tracking.comparison)}. A comparison ranks runs by ${code(`cv/${ds.primary_metric}/mean`)} (${ds.metric_direction}) and flags a run whose fold standard deviation exceeds the gate margin of ${d.registry.promotion_gate.min_improvement_pct} %: such a difference is noise.`,
  );

  // 3. Model registry
  doc.heading(2, '3. Model registry');
  doc.heading(3, 'Versioning and tagging strategy');
  doc.paragraph(`Registry: ${text(d.tracking.registry)}. Version numbers: ${text(d.registry.versioning)}. Current feature schema hash ${code(d.registry.feature_schema_hash)} (sha256 of name:type:transform of the ${v.features.length} model inputs): a different hash means a new MAJOR version and a serving contract change.`);
  doc.table(
    ['Tag', 'Value'],
    [
      [code('git_sha'), 'commit of the training code'],
      [code('data_version'), `${code(de.versioning.tool)} revision at ${code(de.versioning.remote)}`],
      [code('feature_schema'), code(d.registry.feature_schema_hash)],
      [code('training_window'), `${num(ds.training_data.window_days)} days ending at the data version's watermark`],
      [code('algorithm'), `${code(plan.family)} (${d.ensemble.members.map((m) => code(m)).join(', ')})`],
      [code('cv_metric'), `${code(ds.primary_metric)} mean ± std`],
      [code('hpo_trials'), 'trials run'],
      [code('config_hash'), 'sha256 of the training config'],
      [code('previous_prod_version'), 'set when the version enters prod: the rollback target'],
    ],
  );
  doc.heading(3, 'Model metadata and lineage');
  doc.paragraph(
    `Each version records: training rows (${rows(v.sampleRows)} of ${rows(v.windowRows)}), the input signature (${v.featureColumns} columns), per-fold and holdout metrics, the promotion decision with its reasons, and lineage: ${code(de.lineage.standard)} events in namespace ${code(de.lineage.namespace)} link the run to its input dataset ${code(de.layers.features.uri)} at the ${code(de.versioning.tool)} revision, so "which data trained the prod model" is one query in both directions.`,
  );
  doc.heading(3, 'Promotion workflow (dev -> staging -> prod)');
  const gate = d.registry.promotion_gate;
  doc.table(
    ['Stage', 'Entered when', 'Who'],
    [
      [code('dev'), 'every successful training run registers a version', 'training pipeline'],
      [code('staging'), 'the gate below passes against the current prod version', `${code(`${plan.pkg}.registry.promotion promote --to staging`)} in the pipeline`],
      [code('prod'), 'the staging version passed the online checks of the deployment phase (shadow/canary); the previous prod version is recorded', 'deployment pipeline'],
    ],
  );
  doc.table(
    ['Gate check', 'Rule', 'Figure from'],
    [
      gate.rule === 'absolute'
        ? ['threshold', gateThresholdText(gate, code), `data scientist promotion threshold (${code('absolute')}, baseline origin ${code(ds.baseline_origin)})`]
        : [
            'threshold (relative)',
            gateThresholdText(gate, code),
            `data scientist promotion factor ${code(ds.promotion_threshold)} (${code('relative_to_baseline')}: no baseline value is known before training); ${
              gate.baseline_model !== null && gate.baseline_model in BUILTIN_BASELINES
                ? `${code(gate.baseline_model)} is built into the pipeline (${BUILTIN_BASELINES[gate.baseline_model]})`
                : `${code(gate.baseline_model ?? '')} comes from the steps factory, which must provide a trainer of that name`
            }`,
          ],
      ['beats production', `relative improvement ≥ ${code(`${gate.min_improvement_pct} %`)}`, `max(0.5, slo.max_degradation_pct ${spec.slo.max_degradation_pct} / 5): a change smaller than a fifth of the retraining trigger is churn`],
      ['secondary metrics', `none regresses by more than ${code(`${config.registry.gate.max_secondary_regression_pct} %`)}`, 'slo.max_degradation_pct'],
      ...config.registry.gate.criteria.map((c) => [
        `${c.source}: ${code(c.name)}`,
        `${c.bound === 'at_least' ? '≥' : '≤'} ${code(c.threshold)} (${text(c.rule)})`,
        c.source === 'bias' ? `data scientist bias metrics over ${ds.bias.groups.map((g) => code(g)).join(', ')}` : 'data scientist evaluation criteria',
      ]),
    ],
  );
  if (ds.bias.groups.length === 0) doc.paragraph('No protected attributes are declared, so the bias metrics of the data scientist are not part of the gate.');
  if (gate.rule === 'relative_to_baseline') {
    doc.paragraph(
      `Relative rule: every training run scores ${code(gate.baseline_model ?? '')} on the same folds as the members and records its CV mean as ${code(`baseline/${gate.baseline_model}/${gate.metric}`)} (tracker and ${code('runs/last_training.json')}); ${code('evaluate_gate')} takes the threshold ${code(`${gate.baseline_factor} × that score`)} (${gate.direction === 'maximize' ? `at least ${code(`${Math.round(((gate.baseline_factor ?? 1) - 1) * 1e4) / 100} %`)} better` : `at least ${code(`${Math.round((1 - (gate.baseline_factor ?? 1)) * 1e4) / 100} %`)} lower`} than the baseline), and fails when the score is missing. ${code('promote --training-output runs/last_training.json')} passes it from the CLI.`,
    );
  }
  doc.paragraph(`The gate is code (${code(`ml/src/${plan.pkg}/registry/promotion.py`)}, ${code('evaluate_gate')}), unit-testable with the offline ${code('LocalRegistry')}; on the first release there is no production model, so only the production comparison is skipped.`);
  doc.heading(3, 'Rollback procedure');
  const b = rollbackBudget(spec.slo.rollback_minutes);
  doc.paragraph(`Budget ${code(`slo.rollback_minutes = ${spec.slo.rollback_minutes}`)} = ${b.totalSeconds} s, split as:`);
  doc.numbered([
    `Registry (${b.aliasSeconds} s, 10 %): ${code('scripts/rollback_model.sh')} runs ${code(`python3 -m ${plan.pkg}.registry.promotion rollback`)}, which re-points ${code('prod')} to the ${code('previous_prod_version')} tag (or ${code('--to VERSION')}) and tags the bad version with the reason.`,
    `Serving (${b.restartSeconds} s, the rest): rolling restart of ${code(`deployment/${servingTarget(spec).deployment}`)} in ${code(servingTarget(spec).namespace)}; replicas load the model once at start-up, by alias, so they come back on the restored version; ${code('kubectl rollout status')} waits with the remaining budget as timeout.`,
    `Verification (${b.verifySeconds} s, 20 %): ready replicas counted, elapsed time checked against the budget; the script exits non-zero when the budget is exceeded so the incident stays open.`,
  ]);

  // Hand-off
  doc.heading(2, 'Hand-off');
  doc.bullets([
    `Model ${code(d.registry.model_name)} in ${code(d.tracking.backend)}, stages ${d.registry.stages.map((s) => code(s)).join(' → ')}, gate ${gateThresholdText(gate, code)} and +${gate.min_improvement_pct} % over prod.`,
    `Training: ${code(`${d.training.cpu} vCPU`)}, ${code(d.training.memory)}, ${code(`${d.training.gpus} GPU`)}, ≈ ${d.training.expected_minutes} min (limit ${d.training.timeout_minutes}), ${code(spec.scale.training_schedule)} via ${text(plan.orchestration.kind)} ${code(plan.orchestration.name)}.`,
    `HPO ${code(d.hpo.tool)}: ${d.hpo.trials} trials × ${d.hpo.parallel_trials} parallel, ${d.hpo.timeout_minutes}-min timeout; CV ${code(d.cross_validation.strategy)} × ${d.cross_validation.folds}; ensemble ${code(d.ensemble.method)}.`,
    `Data: ${rows(v.sampleRows)} rows × ${v.featureColumns} encoded columns per run (${f1(v.matrixGib)} GiB float32): python-pro sizes chunks and memory from these.`,
    `Rollback: ${code('scripts/rollback_model.sh')} within ${spec.slo.rollback_minutes} min; serving must load the model by the ${code('prod')} alias at start-up.`,
    `Code: ${d.code.modules.map((m) => code(m)).join(', ')}; config ${code(d.code.config)}.`,
  ]);
  return doc.toString();
}
