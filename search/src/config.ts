import { baseEnv, parseAdminEmails, readEnv } from '@jetmart/common';

/** Everything search reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('search', 3009),
      ADMIN_EMAILS: {
        describe: 'comma-separated emails of the users allowed to POST /api/search/rebuild (nobody when unset)',
        optional: true,
        parse: parseAdminEmails,
      },
    },
    env,
  );
}

export type SearchConfig = ReturnType<typeof loadConfig>;
