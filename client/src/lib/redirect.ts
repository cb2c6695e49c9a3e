/** A same-site path to go to after signing in; anything else (other hosts, `//evil`) becomes `/`. */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string') return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

/** The sign-in URL that comes back to `path` afterwards. */
export function signinUrl(path: string): string {
  return `/signin?next=${encodeURIComponent(path)}`;
}
