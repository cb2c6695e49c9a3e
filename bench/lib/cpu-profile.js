'use strict';
// Preload (NODE_OPTIONS="--require bench/lib/cpu-profile.js", since --cpu-prof is not allowed in
// NODE_OPTIONS): in the process whose script path contains BENCH_PROFILE_SERVICE, the first
// SIGUSR2 starts the V8 CPU profiler and the second writes BENCH_PROFILE_DIR/<service>-<pid>.cpuprofile
// (open in Chrome DevTools, or summarize with bench/profile-summary.js).
const service = process.env.BENCH_PROFILE_SERVICE;
if (service && (process.argv[1] || '').includes(`/${service}/`)) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, { profile }) => {
      if (err) return;
      const dir = process.env.BENCH_PROFILE_DIR || '.';
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${service}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    });
  });
}
