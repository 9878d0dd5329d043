/**
 * Worker thread of driftAll (src/stats/drift.ts): computes numeric features posted as DriftWorkerTask (samples
 * in shared memory, only read) and replies with the FeatureDrift. One DriftScratch per worker: the sort buffers
 * are allocated once for all the columns it handles.
 */
import { parentPort } from 'node:worker_threads';
import { DriftScratch, numericFeatureDrift, type DriftWorkerReply, type DriftWorkerTask } from './drift.js';

const port = parentPort;
if (!port) throw new Error('driftWorker.ts runs as a worker thread (driftAll starts it)');
const scratch = new DriftScratch();
port.on('message', (task: DriftWorkerTask) => {
  let reply: DriftWorkerReply;
  try {
    reply = { id: task.id, result: numericFeatureDrift(task.name, task.reference, task.current, task.missing, task.thresholds, scratch) };
  } catch (e) {
    reply = { id: task.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
