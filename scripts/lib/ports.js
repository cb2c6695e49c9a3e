'use strict';
const net = require('node:net');

/** Resolves true when nothing listens on `port` (checked on all interfaces, as services listen). */
function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port }, () => srv.close(() => resolve(true)));
  });
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0 }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `preferred` when free (the documented local ports), else any free port. `preferred` null: any
 * free port at once. Test platforms pass null: two of them starting side by side (parallel test
 * files) would both see 3000 free and race to bind it, while kernel-chosen ports do not collide.
 */
async function pickPort(preferred, taken = new Set()) {
  if (preferred != null && !taken.has(preferred) && (await isPortFree(preferred))) return preferred;
  for (;;) {
    const port = await anyFreePort();
    if (!taken.has(port)) return port;
  }
}

module.exports = { isPortFree, pickPort };
