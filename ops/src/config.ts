import { baseEnv, parseAdminEmails, readEnv } from '@jetmart/common';

/** `name=url` pairs, comma-separated: the services whose readiness the status reports. */
export function parseServiceUrls(raw: string): { name: string; url: string }[] {
  const out: { name: string; url: string }[] = [];
  for (const pair of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (at < 1 || !/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`"${pair}" is not name=url`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${url}" (${name}) is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`"${url}" (${name}) is not http(s)`);
    out.push({ name, url: parsed.origin });
  }
  return out;
}

const LOCAL_SERVICES =
  'auth=http://127.0.0.1:3001,products=http://127.0.0.1:3002,search=http://127.0.0.1:3009,orders=http://127.0.0.1:3003,payments=http://127.0.0.1:3004,expiration=http://127.0.0.1:3005,shipping=http://127.0.0.1:3007,notifications=http://127.0.0.1:3008';

/** Everything ops reads from the environment. It has no database, so no MONGO_URL. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const { MONGO_URL: _noDatabase, ...base } = baseEnv('ops', 3006);
  return readEnv(
    {
      ...base,
      ADMIN_EMAILS: {
        describe: 'comma-separated emails of the users allowed to use /api/ops (nobody when unset)',
        optional: true,
        parse: parseAdminEmails,
      },
      NATS_MONITOR_URL: {
        describe: 'NATS monitoring endpoint (its /varz); unset in production: the server part of the status says so',
        devDefault: 'http://127.0.0.1:8222',
        optional: true,
        parse: (raw: string) => new URL(raw).origin,
      },
      OPS_SERVICE_URLS: {
        describe: 'services whose /readyz the status reports, name=url comma-separated (e.g. auth=http://auth:3000,...)',
        devDefault: LOCAL_SERVICES,
        parse: parseServiceUrls,
      },
    },
    env,
  );
}

export type OpsConfig = ReturnType<typeof loadConfig>;
