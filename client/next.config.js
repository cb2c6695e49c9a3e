// @ts-check
/**
 * Next.js configuration for the jetmart storefront.
 *
 * TypeScript: the repository compiles with TypeScript 7. Next 16.4's build-time type check runs
 * with it (checked: a deliberate type error fails `next build`), so type errors are NOT ignored
 * at build time; `npm run typecheck -w client` (tsc --noEmit) runs the same check on its own.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

module.exports = nextConfig;
