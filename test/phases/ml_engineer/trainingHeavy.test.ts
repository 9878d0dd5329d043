import { HEAVY_TRAINING, describeTrainingRuns } from '../../helpers/trainingRuns.js';

// The slowest sample trainings (text features; anomaly folds of 3,000 rows), apart from training.test.ts so the
// two test workers share the training runs.
describeTrainingRuns(HEAVY_TRAINING);
