import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { toYamlStream } from '../../src/generators/serializers/yaml.js';
import { referenceProblems } from '../../src/validate/validators/references.js';
import { base64Threshold, highEntropy, isPlaceholderValue, noSecretsValidator, scanForSecrets, shannonEntropy } from '../../src/validate/validators/secrets.js';

// Samples are assembled at run time from a seeded generator, so that this file holds no key-like literal itself.

/** Deterministic pseudo-random characters (mulberry32). */
function randomChars(seed: number, length: number, alphabet: string): string {
  let a = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return out;
}
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';
const b64url = (seed: number, n: number) => randomChars(seed, n, `${ALNUM}-_`);

const awsKeyId = ['AK', 'IA'].join('') + randomChars(1, 16, UPPER_DIGITS);
const awsSecret = randomChars(2, 40, B64);
const githubToken = ['gh', 'p_'].join('') + randomChars(3, 36, ALNUM);
const gitlabToken = ['gl', 'pat-'].join('') + randomChars(4, 20, ALNUM);
const slackToken = ['xo', 'xb-'].join('') + `${randomChars(5, 12, '0123456789')}-${randomChars(6, 24, ALNUM)}`;
const jwt = `${['ey', 'J'].join('')}${b64url(7, 20)}.${['ey', 'J'].join('')}${b64url(8, 40)}.${b64url(9, 43)}`;
const pemHeader = ['-----BEGIN', 'RSA PRIVATE', 'KEY-----'].join(' ');
const googleKey = ['AI', 'za'].join('') + b64url(10, 35);

function rules(content: string, kind: Artifact['kind'] = 'text'): string[] {
  return scanForSecrets(content, kind).map((f) => f.rule);
}

describe('no-secrets: well-known token formats', () => {
  it.each([
    ['an AWS access key id', `aws_access_key_id = ${awsKeyId}\n`, 'aws-access-key-id'],
    ['a PEM private key', `${pemHeader}\nMIIEowIBAAKCAQEA\n`, 'private-key'],
    ['a GitHub token', `GH_TOKEN: ${githubToken}\n`, 'github-token'],
    ['a GitLab token', `curl --header "PRIVATE-TOKEN: ${gitlabToken}"\n`, 'gitlab-token'],
    ['a Slack token', `slack: ${slackToken}\n`, 'slack-token'],
    ['a JWT', `Authorization: Bearer ${jwt}\n`, 'jwt'],
    ['a Google API key', `key: "${googleKey}"\n`, 'google-api-key'],
  ])('finds %s', (_what, content, rule) => {
    expect(rules(content)).toContain(rule);
  });
});

describe('no-secrets: credentials inline', () => {
  it.each([
    ['a YAML password', 'redis:\n  password: hunter2-prod\n', 'yaml'],
    ['an HCL password string', 'resource "x" "y" {\n  password = "S3cure!pass"\n}\n', 'terraform'],
    ['an env-file token', 'API_TOKEN=abc123def456\n', 'text'],
    ['a Python keyword argument', 'client = Client(api_key="k-12345-live")\n', 'python'],
    ['a JSON client secret', '{"client_secret": "q8Yt-2mZ"}\n', 'json'],
    ['a shell export', 'export DB_PASSWORD=letmein99\n', 'shell'],
    ['AWS secret access key in a credentials file', `aws_secret_access_key = ${awsSecret}\n`, 'text'],
  ] as const)('finds %s', (_what, content, kind) => {
    expect(rules(content, kind)).toContain('secret-assignment');
  });

  it.each([
    ['postgres', 'postgresql://mlops:s3cr3tpw@db.internal:5432/features'],
    ['redis', 'redis://default:Zx9-qq@online-store:6379/0'],
    ['mongodb+srv', 'mongodb+srv://svc:p4ss@cluster0.example.net/db'],
  ])('finds a %s URL with a password', (_what, url) => {
    expect(rules(`url: ${url}\n`, 'yaml')).toContain('credentials-in-url');
  });

  it('accepts references and placeholders in every syntax', () => {
    const ok = [
      ['password: ${REDIS_PASSWORD}', 'yaml'],
      ['password: "{{ .Values.redis.password }}"', 'yaml'],
      ['token: ${{ secrets.GITHUB_TOKEN }}', 'github-workflow'],
      ['  - docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY" <<< "$CI_JOB_TOKEN"', 'gitlab-ci'],
      ['secretKey: ONLINE_STORE_PASSWORD', 'kubernetes'],
      ['secretKeyRef: {name: demo-online-store, key: ONLINE_STORE_PASSWORD}', 'kubernetes'],
      ['password = var.db_password', 'terraform'],
      ['password = random_password.redis.result', 'terraform'],
      ['token = os.environ["WANDB_API_KEY"]', 'python'],
      ['api_key = settings.api_key', 'python'],
      ['REDIS_PASSWORD="$(cat /run/secrets/redis)"', 'shell'],
      ['--requirepass "$REDIS_PASSWORD"', 'shell'],
      ['password: <set out of band>', 'markdown'],
      ['existingSecret: demo-online-store', 'yaml'],
      ['tokenPath: /var/run/secrets/eks.amazonaws.com/serviceaccount/token', 'yaml'],
      ['url: redis://:${REDIS_PASSWORD}@online-store:6379', 'yaml'],
      ['url: postgresql://${DB_USER}:${DB_PASSWORD}@db:5432/x', 'yaml'],
      ['sensitive = true', 'terraform'],
      ['password:', 'yaml'],
      ['client_secret: changeme', 'yaml'],
    ] as const;
    for (const [line, kind] of ok) expect(rules(`${line}\n`, kind), line).toEqual([]);
  });

  it('tells a placeholder from a literal', () => {
    for (const v of ['', '${X}', '$(X)', '$X', '{{ x }}', '<password>', 'ONLINE_STORE_PASSWORD', 'true', '3600', '/etc/x', '***', 'REPLACE_ME', 'example-token']) expect(isPlaceholderValue(v), v).toBe(true);
    for (const v of ['hunter2', 'p@ss', 'Zx9-qq', 'secret123']) expect(isPlaceholderValue(v), v).toBe(false);
  });
});

describe('no-secrets: high-entropy literals', () => {
  it('finds random base64 and hex keys of 20 characters and more', () => {
    for (const [seed, n] of [[11, 20], [12, 24], [13, 32], [14, 40], [15, 64]] as const) {
      const token = randomChars(seed, n, ALNUM);
      expect(rules(`value: ${token}\n`, 'yaml'), token).toContain('high-entropy-base64');
    }
    const hexKey = randomChars(16, 32, HEX);
    expect(rules(`key ${hexKey}\n`)).toContain('high-entropy-hex');
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy(HEX)).toBe(4);
    expect(base64Threshold(20)).toBeCloseTo(Math.log2(20) - 0.75);
    expect(base64Threshold(4096)).toBe(4.5);
  });

  it('allows what is random-looking by design: digests, commit SHAs, UUIDs, placeholders, names and paths', () => {
    const sha256 = randomChars(20, 64, HEX);
    const sha1 = randomChars(21, 40, HEX);
    const ok = [
      `image: python:3.11-slim@sha256:${sha256}`,
      `      - uses: actions/checkout@${sha1} # v4.2.2`,
      'azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000003',
      `id: ${[randomChars(22, 8, HEX), randomChars(23, 4, HEX), randomChars(24, 4, HEX), randomChars(25, 4, HEX), randomChars(26, 12, HEX)].join('-')}`,
      'eks.amazonaws.com/role-arn: arn:aws:iam::000000000000:role/detect-fraudulent-card-payments-serving',
      'iam.gke.io/gcp-service-account: demand-forecast-training@project-id.iam.gserviceaccount.com',
      'image: 000000000000.dkr.ecr.us-east-1.amazonaws.com/detect-fraudulent-card-payments/detect-fraudulent-card-payments-model-server:0.1.0',
      '- alert: ModelLatencyP99Critical',
      'path: predictors1ComponentSpecs0HpaSpecMaxReplicas',
      'vm_size: Standard_NC24ads_A100_v4',
      'MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD',
      'path: deploy/k8s/base/serving.yaml and charts/detect-fraudulent-card-payments/templates/x.yaml',
    ];
    for (const line of ok) expect(rules(`${line}\n`), line).toEqual([]);
    expect(highEntropy(sha1, 'uses: actions/checkout@')).toBeNull();
  });
});

describe('no-secrets validator', () => {
  it('checks every kind and reports the line and rule without echoing the value', async () => {
    expect(new Set(noSecretsValidator.kinds).size).toBeGreaterThan(20);
    const artifacts: Artifact[] = [
      { path: 'good.yaml', kind: 'yaml', phase: 'p', content: 'password: ${PASSWORD}\n' },
      { path: 'bad.tf', kind: 'terraform', phase: 'p', content: `provider "aws" {\n  access_key = "${awsKeyId}"\n}\n` },
    ];
    const verdicts = await noSecretsValidator.validate({ artifacts, root: '/nonexistent', bundle: artifacts });
    expect(verdicts.map((v) => [v.path, v.verdict])).toEqual([
      ['good.yaml', 'pass'],
      ['bad.tf', 'fail'],
    ]);
    expect(verdicts[1]!.message).toContain('line 2: aws-access-key-id');
    expect(verdicts[1]!.message).not.toContain(awsKeyId);
  });
});

describe('kubernetes-references: ServiceAccounts and Secrets a pod or store uses exist', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'srv' } };
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model', namespace: 'srv' } };
  const esoSa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'eso', namespace: 'srv' } };
  const store = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'store' },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'eso', namespace: 'srv' } } } } }, conditions: [{ namespaces: ['srv'] }] },
  };
  const external = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'creds', namespace: 'srv' },
    spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'store' }, target: { name: 'creds', creationPolicy: 'Owner' }, data: [{ secretKey: 'PASSWORD', remoteRef: { key: 'p/creds', property: 'PASSWORD' } }] },
  };
  const pod = (extra: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'model', namespace: 'srv' },
    spec: { selector: { matchLabels: { app: 'm' } }, template: { metadata: { labels: { app: 'm' } }, spec: { serviceAccountName: 'model', containers: [{ name: 'c', image: 'i', ...extra }] } } },
  });
  const envFrom = { envFrom: [{ secretRef: { name: 'creds' } }] };
  const keyRef = (name: string, key: string) => ({ env: [{ name: 'P', valueFrom: { secretKeyRef: { name, key } } }] });
  const auth = (key: string) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'a', namespace: 'srv' }, spec: { secretTargetRef: [{ parameter: 'password', name: 'creds', key }] } });
  const good = [ns, sa, esoSa, store, external, pod({ ...envFrom, ...keyRef('creds', 'PASSWORD') }), auth('PASSWORD')];

  function problems(objects: object[]): string[] {
    return [...referenceProblems([{ path: 'all.yaml', content: toYamlStream(objects) }]).values()].flat();
  }

  it('accepts a set where every ServiceAccount, Secret, key and store resolves (an ExternalSecret target counts as the Secret)', () => {
    expect(problems(good)).toEqual([]);
    const plain = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'srv' }, stringData: { K: 'x' } };
    expect(problems([ns, sa, plain, pod(keyRef('other', 'K'))])).toEqual([]);
    expect(problems([ns, sa, pod({ env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'missing', key: 'K', optional: true } } }] })])).toEqual([]);
  });

  it.each([
    ['a pod running as a missing ServiceAccount', [ns, esoSa, store, external, pod(envFrom)], 'ServiceAccount model does not exist in srv'],
    ['envFrom a Secret nobody provides', [ns, sa, pod({ envFrom: [{ secretRef: { name: 'nope' } }] })], 'Secret nope is neither a Secret nor an ExternalSecret target in srv'],
    ['a secretKeyRef to a key the ExternalSecret does not map', [ns, sa, esoSa, store, external, pod(keyRef('creds', 'USER'))], 'Secret creds in srv has no key USER (it provides PASSWORD)'],
    ['a volume of a missing Secret', [ns, sa, { ...pod({}), spec: { ...pod({}).spec, template: { ...pod({}).spec.template, spec: { serviceAccountName: 'model', containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'v', secret: { secretName: 'tls' } }] } } } }], 'Secret tls is neither'],
    ['a TriggerAuthentication key the Secret lacks', [ns, sa, esoSa, store, external, auth('TOKEN')], 'Secret creds in srv has no key TOKEN'],
    ['an ExternalSecret in a namespace the store does not admit', [ns, esoSa, { ...store, spec: { ...store.spec, conditions: [{ namespaces: ['other'] }] } }, external], 'ClusterSecretStore store does not admit namespace srv'],
    ['an ExternalSecret of a missing store', [ns, external], 'ClusterSecretStore store does not exist'],
    ['a store authenticating as a missing ServiceAccount', [ns, store, external], 'ServiceAccount eso does not exist in srv'],
  ])('reports %s', (_what, objects, message) => {
    expect(problems(objects).join('\n')).toContain(message);
  });
});
