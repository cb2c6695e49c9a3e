'use strict';
// Path-prefix routing with the semantics of a Kubernetes Ingress `pathType: Prefix`: a prefix
// matches whole path segments (/api/users matches /api/users and /api/users/x, not /api/usersx),
// and the longest matching prefix wins. Paths are forwarded unchanged.

function matchesPrefix(prefix, pathname) {
  if (prefix === '/') return true;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return pathname === p || pathname.startsWith(p + '/');
}

/** The route for a request path, or undefined. */
function findRoute(routes, url) {
  const pathname = (url || '/').split('?')[0];
  let best;
  for (const r of routes) {
    if (matchesPrefix(r.prefix, pathname) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

module.exports = { findRoute, matchesPrefix };
