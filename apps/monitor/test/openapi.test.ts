import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { compileErrors, validate } from '@readme/openapi-parser';
import { driftPolicySchema } from '@mlops/contracts';
import { accessOf } from '../src/auth';
import { staticProfileSource } from '../src/profiles';
import { routesOf } from '@mlops/config';
import { monitorOperations } from '../src/routes/openapi';
import { useMonitorApp } from './monitor-app';
import { columns, referenceProfile } from './fixtures';

const monitor = useMonitorApp({
  profiles: staticProfileSource({
    'shop@1': { columns, profile: referenceProfile(), task: 'classification' },
  }),
  policy: driftPolicySchema.parse({ minRows: 10 }),
});

const routeOf = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

describe('monitor GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await monitor.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe('3.1.0');
    // The drift query's bound is the running monitor's (MONITOR_WINDOW_RETAIN).
    const drift = doc.paths['/v1/drift/{model}']?.get as {
      parameters: Array<{ name: string; schema: { maximum?: number } }>;
    };
    expect(drift.parameters.find((p) => p.name === 'window')?.schema.maximum).toBe(2_000);
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('describes every route the monitor answers (its tRPC transport and HEAD aside)', () => {
    const described = new Set(
      monitorOperations(2_000).map((op) => `${op.method} ${routeOf(op.path)}`),
    );
    const served = routesOf(monitor.app)
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/trpc'))
      .map((r) => `${r.method} ${r.url}`);
    expect(served).toContain('POST /v1/feedback');
    expect(served.filter((route) => !described.has(route))).toEqual([]);
  });

  it('names the scope each route checks', () => {
    for (const op of monitorOperations(2_000)) {
      const access = accessOf({
        method: op.method,
        routeOptions: { url: routeOf(op.path) },
      } as unknown as FastifyRequest);
      expect(access, `${op.method} ${op.path}`).toBe(
        op.access === 'public' ? 'public' : (op.access as { scope: string }).scope,
      );
    }
  });
});
