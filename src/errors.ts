import { z } from 'zod';

/**
 * A failure the user can fix (bad input, wrong order of calls, unknown id). Tools return it as an MCP tool
 * result with isError set, so the model sees the message and can correct itself; anything else is a bug and
 * surfaces as a protocol error.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: UserErrorCode = 'invalid_input',
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export type UserErrorCode = 'invalid_input' | 'not_found' | 'precondition' | 'conflict' | 'unavailable' | 'forbidden';

function formatPath(path: readonly PropertyKey[], root: string): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  const joined = parts.reduce((acc, p) => (p.startsWith('[') ? acc + p : acc ? `${acc}.${p}` : p), '');
  return root ? (joined ? `${root}.${joined}` : root) : joined || '(root)';
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `invalid value${'input' in issue && issue.input !== undefined ? ` ${shorten(JSON.stringify(issue.input))}` : ''}; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      return received === 'undefined' ? `required (${issue.expected})` : `expected ${issue.expected}${received ? `, got ${received}` : ''}`;
    }
    default:
      return issue.message;
  }
}

/** One line per issue, each naming the field path, e.g. `spec.options.serving_platform: invalid value; allowed: "kserve", …`. */
export function formatZodError(error: z.ZodError, root = ''): string {
  return error.issues.map((issue) => `${formatPath(issue.path, root)}: ${describeIssue(issue)}`).join('\n');
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, root: string, what: string): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new UserError(`Invalid ${what}:\n${formatZodError(result.error, root)}`);
  return result.data;
}
