/**
 * `@jetmart/common/contracts` is what the storefront (Next.js) imports: it must stay free of
 * runtime dependencies (nats, mongoose, zod, ...), and its constants are the ones the services use.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as contracts from '../contracts';
import { DeadLetterHeaders, Streams, streamOf } from '..';

const src = path.resolve(__dirname, '..');

/** Every module specifier `file` imports or re-exports (static and dynamic), type-only imports included. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
}

it('imports nothing but its own relative modules (transitively)', () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of specifiers(file)) {
      expect({ file: path.relative(src, file), spec }).toEqual({ file: path.relative(src, file), spec: expect.stringMatching(/^\.\.?\//) });
      visit(path.resolve(path.dirname(file), `${spec}.ts`));
    }
  };
  visit(path.join(src, 'contracts.ts'));
  const files = [...seen].map((f) => path.relative(src, f)).sort();
  expect(files).toEqual(expect.arrayContaining(['contracts.ts', 'events/dead-letter.ts', 'events/streams.ts', 'api/records.ts']));
  // The pure corners of common: the messaging constants and the API's record types.
  for (const f of files) expect(f).toMatch(/^(contracts\.ts|events\/(dead-letter|streams)\.ts|api\/[\w-]+\.ts)$/);
});

it('exports the same constants as the package root', () => {
  expect(contracts.DeadLetterHeaders).toBe(DeadLetterHeaders);
  expect(contracts.Streams).toBe(Streams);
  expect(contracts.streamOf).toBe(streamOf);
  expect(contracts.deadLetterSubject('orders-product-created')).toBe('deadletter.orders-product-created');
  expect(streamOf(contracts.deadLetterSubject('x'))).toBe(Streams.deadLetter.name);
});

it('is a subpath export of the package, built to dist', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(src, '..', 'package.json'), 'utf8'));
  expect(pkg.exports['./contracts']).toEqual({ types: './dist/contracts.d.ts', default: './dist/contracts.js' });
  expect(pkg.exports['.']).toBeDefined();
  expect(pkg.exports['./testing']).toBeDefined();
});
