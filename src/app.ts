import type { Logger } from 'pino';
import { defaultDataRoot } from './config.js';
import { engineSettings, type EngineSettings } from './engines/index.js';
import { PipelineService } from './pipeline/service.js';
import { TeamService } from './pipeline/team.js';
import { EventVersionedCache } from './store/eventVersionedCache.js';
import { Store } from './store/store.js';
import type { PipelineDetail } from './tools/get_pipeline.js';
import { ValidatorRegistry, defaultValidators } from './validate/registry.js';

export interface AppConfig {
  dbPath: string;
  exportRoot: string;
  /** Root under which check_drift reads CSV files. */
  dataRoot: string;
  /** The default engine and the LLM engines' model, limits and API key. */
  engines: EngineSettings;
}

/** Everything a request handler needs, built once per process and shared by every transport session. */
export interface AppContext {
  config: AppConfig;
  store: Store;
  service: PipelineService;
  team: TeamService;
  validators: ValidatorRegistry;
  logger: Logger;
  /** get_pipeline's body per pipeline (also GET /api/pipelines/:id): the most frequent read of every client. */
  details: EventVersionedCache<PipelineDetail>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createApp(options: Omit<AppConfig, 'dataRoot' | 'engines'> & { dataRoot?: string; engines?: EngineSettings }, logger: Logger): AppContext {
  const config: AppConfig = { ...options, dataRoot: options.dataRoot ?? defaultDataRoot(), engines: options.engines ?? engineSettings() };
  const store = new Store(config.dbPath);
  const recovered = store.recoverInterruptedRuns(processAlive);
  if (recovered > 0) logger.warn({ recovered }, 'marked interrupted phase runs as failed');
  const service = new PipelineService(store, config.engines);
  const validators = new ValidatorRegistry(defaultValidators());
  return { config, store, service, team: new TeamService(service, validators), validators, logger, details: new EventVersionedCache(store) };
}
