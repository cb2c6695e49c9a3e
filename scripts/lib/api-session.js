'use strict';

/**
 * A tiny cookie-keeping HTTP client for jetmart's JSON API, one per user: it keeps the session
 * cookie the API sets. `call(method, path, body?, headers?)` → `{status, body, text}`;
 * `call.cookie()` is the current `session=…` cookie. Used by `npm run seed` and the benchmarks.
 */
function apiSession(baseUrl) {
  let cookie = '';
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const sessionCookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
    if (sessionCookie) cookie = sessionCookie.split(';')[0];
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  };
  call.cookie = () => cookie;
  return call;
}

module.exports = { apiSession };
