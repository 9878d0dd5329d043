import { UserError, parseOrThrow } from '../errors.js';
import { starterFeatures, starterSources } from './defaults.js';
import { inferFromRequirements, nameFromRequirements } from './infer.js';
import { mergePatch } from './merge.js';
import { SpecSchema, type Feature, type Source, type Spec } from './schema.js';

/** A spec with every default filled and every derived field resolved: what is stored and what phases read. */
export type ResolvedSpec = Spec & {
  data: Spec['data'] & { sources: Source[]; features: (Feature & { source: string })[] };
  team: Spec['team'] & { namespace: string };
};

/**
 * Where secrets live: the spec's choice, else the cloud's secrets manager (Vault for multi-cloud, where two clouds
 * share one backend). Derived on read, not stored, so that changing cloud_provider later changes the default too.
 */
export function secretsBackendOf(spec: Pick<Spec, 'delivery' | 'options'>): 'cloud' | 'vault' {
  return spec.delivery.secrets_backend ?? (spec.options.cloud_provider === 'multi-cloud' ? 'vault' : 'cloud');
}

function fill(spec: Spec): ResolvedSpec {
  const sources = spec.data.sources ?? starterSources(spec.problem.type);
  const firstSource = sources[0]!.name;
  const features = (spec.data.features ?? starterFeatures(spec.problem.type)).map((f) => ({ ...f, source: f.source ?? firstSource }));
  const namespace = spec.team.namespace ?? `ml-${spec.name}`.slice(0, 63).replace(/-+$/, '');
  return { ...spec, data: { ...spec.data, sources, features }, team: { ...spec.team, namespace } };
}

/** Validates a complete spec object (e.g. a stored revision merged with a patch) and fills what is derived. */
export function resolveSpec(value: unknown, root = 'spec'): ResolvedSpec {
  // Parsing the filled spec again validates the derived values too and gives every object the schema's key
  // order, so a stored spec compares equal to itself after a round trip.
  return parseOrThrow(SpecSchema, fill(parseOrThrow(SpecSchema, value, root, 'spec')), root, 'spec') as ResolvedSpec;
}

export interface CreateSpecInput {
  requirements: string;
  name?: string;
  spec?: Record<string, unknown>;
}

/**
 * Builds the first revision of a spec: structured fields from the user, then what the requirements text says
 * (see infer.ts), then defaults. Returns which fields were read from the text.
 */
export function specFromRequirements(input: CreateSpecInput): { spec: ResolvedSpec; inferred: string[] } {
  const user = input.spec ?? {};
  if (typeof user !== 'object' || Array.isArray(user)) throw new UserError('spec must be an object');
  const requirements = input.requirements ?? (user.requirements as string | undefined);
  const { patch, inferred } = inferFromRequirements(typeof requirements === 'string' ? requirements : '');
  const merged = mergePatch(patch, user) as Record<string, unknown>;
  merged.requirements = requirements;
  merged.name = input.name ?? user.name ?? nameFromRequirements(typeof requirements === 'string' ? requirements : '');
  const spec = resolveSpec(merged);
  const userSet = (path: string) => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), user) !== undefined;
  return { spec, inferred: inferred.filter((p) => !userSet(p)) };
}
