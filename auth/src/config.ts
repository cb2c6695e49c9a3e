import { baseEnv, intInRange, readEnv } from '@jetmart/common';

/** Everything auth reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('auth', 3001),
      SIGNIN_MAX_ATTEMPTS: {
        describe: 'sign-in attempts allowed per client IP and email within SIGNIN_WINDOW_SECONDS',
        default: '10',
        parse: intInRange(1, 10_000),
      },
      SIGNIN_WINDOW_SECONDS: {
        describe: 'length of the sign-in rate-limit window in seconds',
        default: '60',
        parse: intInRange(1, 24 * 3600),
      },
    },
    env,
  );
}

export type AuthConfig = ReturnType<typeof loadConfig>;
