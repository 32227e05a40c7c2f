import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One throwaway Ceph RGW (S3) per run, started only when an S3 test asks for it.
    // and one PostgreSQL cluster per run, likewise started only when a test asks.
    globalSetup: ['tests/fixtures/rgw-global-setup.ts', 'tests/fixtures/postgres-global-setup.ts'],
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
  },
});
