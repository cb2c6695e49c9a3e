/**
 * Reads an environment variable when the server handles a request, not when the app is built
 * (Next inlines literal `process.env.NEXT_PUBLIC_*` reads at build time), so one build serves
 * every deployment.
 */
export function runtimeEnv(name: string): string | undefined {
  const value = process.env[name];
  return value ? value : undefined;
}
