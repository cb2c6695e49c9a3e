#!/usr/bin/env node
'use strict';
/**
 * Writes docs/asyncapi.yaml from the code (see scripts/lib/asyncapi.js): `npm run docs:asyncapi`.
 *   node scripts/asyncapi.js           rewrite the file
 *   node scripts/asyncapi.js --check   exit 1 if the committed file is not what the code says
 *
 * The contracts are read from common's TypeScript source (not common/dist, which may be stale or
 * missing): .ts files are compiled on require by @swc/core, the transformer the tests use.
 */
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const { buildAsyncApi, durableRuleOf, renderAsyncApi } = require('./lib/asyncapi');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'docs', 'asyncapi.yaml');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  module._compile(code, filename);
};

function contracts() {
  const events = require(path.join(root, 'common/src/events/index.ts'));
  const { Listener } = require(path.join(root, 'common/src/bus/listener.ts'));
  return {
    // The zod that common's schemas were built with.
    z: require(require.resolve('zod', { paths: [path.join(root, 'common')] })).z,
    subjects: events.Subjects,
    eventDataSchemas: events.eventDataSchemas,
    streamOf: events.streamOf,
    deadLetterSubject: events.deadLetterSubject,
    deadLetterHeaders: events.DeadLetterHeaders,
    durableName: durableRuleOf(Listener),
    version: require(path.join(root, 'common/package.json')).version,
  };
}

function main() {
  const text = renderAsyncApi(buildAsyncApi(root, contracts()));
  const rel = path.relative(root, target);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${rel} is not what the code says: run npm run docs:asyncapi`);
      process.exit(1);
    }
    console.log(`${rel} is up to date`);
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${rel}`);
  }
  // Importing the bus loads metrics and tracing, which may keep timers: this is a one-shot script.
  process.exit(0);
}

main();
