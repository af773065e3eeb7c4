import http from 'node:http';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { applyServerLimits, ConfigError, parseEnv, serverEnv } from '../src';

const limits = (env: Record<string, string>) => parseEnv(z.object(serverEnv), env);

describe('server limits', () => {
  it('defaults to loopback, bounded timeouts and 256 connections per client', () => {
    expect(limits({})).toEqual({
      MLOPS_BIND: '127.0.0.1',
      MLOPS_HEADERS_TIMEOUT_MS: 10_000,
      MLOPS_REQUEST_TIMEOUT_MS: 300_000,
      MLOPS_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      MLOPS_MAX_CONNECTIONS_PER_CLIENT: 256,
    });
  });

  it('sets the timeouts on the server, and refuses a request timeout under the header timeout', () => {
    const server = http.createServer();
    applyServerLimits(server, limits({ MLOPS_HEADERS_TIMEOUT_MS: '2000' }));
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([
      2_000, 300_000, 65_000,
    ]);
    expect(() =>
      applyServerLimits(
        http.createServer(),
        limits({ MLOPS_HEADERS_TIMEOUT_MS: '5000', MLOPS_REQUEST_TIMEOUT_MS: '1000' }),
      ),
    ).toThrow(ConfigError);
    expect(() => limits({ MLOPS_MAX_CONNECTIONS_PER_CLIENT: '0' })).toThrow(
      /MLOPS_MAX_CONNECTIONS_PER_CLIENT/,
    );
  });
});
