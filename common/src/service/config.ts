/** Thrown at start-up when configuration is missing or invalid; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface EnvVar {
  /** What it is, shown when it is missing. */
  describe: string;
  /** Used everywhere when unset. */
  default?: string;
  /** Used only outside production (NODE_ENV !== 'production'); production must set it. */
  devDefault?: string;
  /** Optional variables resolve to undefined when unset. */
  optional?: boolean;
  /** Checks and converts the value; throw to report it invalid. */
  parse?: (raw: string) => unknown;
}

type Parsed<V extends EnvVar> = V['parse'] extends (raw: string) => infer R
  ? R | (V['optional'] extends true ? undefined : never)
  : string | (V['optional'] extends true ? undefined : never);

export const isProduction = (env: NodeJS.ProcessEnv = process.env) => env.NODE_ENV === 'production';

/** Reads env vars by a spec, collecting every problem before failing. */
export function readEnv<S extends Record<string, EnvVar>>(spec: S, env: NodeJS.ProcessEnv = process.env): { [K in keyof S]: Parsed<S[K]> } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    let raw = env[name];
    if (raw === undefined || raw === '') raw = v.default ?? (isProduction(env) ? undefined : v.devDefault);
    if (raw === undefined) {
      if (!v.optional) problems.push(`${name} is not set (${v.describe})`);
      out[name] = undefined;
      continue;
    }
    try {
      out[name] = v.parse ? v.parse(raw) : raw;
    } catch (err) {
      problems.push(`${name} is invalid: ${(err as Error).message} (${v.describe})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as { [K in keyof S]: Parsed<S[K]> };
}

/** ADMIN_EMAILS: comma-separated emails, compared case-insensitively (see `requireAdmin`). */
export const parseAdminEmails = (raw: string): ReadonlySet<string> =>
  new Set(
    raw
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  );

export function intInRange(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
}

/** The variables every service reads. Dev defaults are for a laptop only and never used in production. */
export function baseEnv(service: string, defaultPort: number) {
  return {
    PORT: { describe: 'HTTP port', default: String(defaultPort), parse: intInRange(1, 65535) },
    MONGO_URL: { describe: `MongoDB URL of the ${service} database`, devDefault: `mongodb://127.0.0.1:27017/${service}` },
    NATS_URL: {
      describe: 'NATS server URL(s), comma-separated: every node of a cluster, so the bus reconnects to another when one goes',
      devDefault: 'nats://127.0.0.1:4222',
    },
    JETSTREAM_REPLICAS: {
      describe: 'replicas of every JetStream stream and key-value bucket the services create (1 on one node; 3 on a 3-node cluster)',
      default: '1',
      parse: intInRange(1, 5),
    },
    JWT_KEY: {
      describe: 'secret that signs session JWTs (Kubernetes secret jwt-secret)',
      devDefault: 'dev-only-insecure-jwt-key-never-use-in-production',
      parse: (raw: string) => {
        if (isProduction() && raw.length < 32) throw new Error('must be at least 32 characters in production');
        return raw;
      },
    },
    JWT_TTL_SECONDS: { describe: 'session lifetime in seconds', default: String(24 * 3600), parse: intInRange(60, 30 * 24 * 3600) },
  } satisfies Record<string, EnvVar>;
}
