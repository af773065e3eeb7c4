import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withLazyRequestLoggers } from '../src/lazy-logger';

/** A pino logger writing JSON lines into an array, counting the children made of it. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  return { logger, lines, children: () => children };
}

describe('lazy request logger', () => {
  it('makes no child for a request that logs nothing, and a bound one for one that logs', async () => {
    const { logger, lines, children } = capture();
    const app = Fastify({
      loggerInstance: withLazyRequestLoggers(logger),
      disableRequestLogging: true,
    });
    app.get('/quiet', () => ({ ok: true }));
    app.get('/loud', (request) => {
      request.log.warn({ why: 'test' }, 'something to say');
      return { ok: true };
    });
    await app.ready();
    const before = children();
    for (let i = 0; i < 5; i++) expect((await app.inject('/quiet')).statusCode).toBe(200);
    expect(children()).toBe(before);

    // The first request that logs also makes its route's logger real (once); after that, one
    // child per request that logs.
    await app.inject('/loud');
    const afterFirst = children();
    expect(afterFirst).toBeLessThanOrEqual(before + 2);
    await app.inject('/loud');
    expect(children()).toBe(afterFirst + 1);
    const said = lines.find((l) => l.msg === 'something to say');
    expect(said).toMatchObject({ level: 40, why: 'test' });
    expect(said?.reqId).toBeTypeOf('string');
    await app.close();
  });

  it('logs through the root as the logger it wraps, levels included', () => {
    const { logger, lines } = capture();
    const root = withLazyRequestLoggers(logger);
    expect(root.level).toBe('info');
    root.debug('not shown');
    root.info({ n: 1 }, 'shown');
    root.level = 'debug';
    expect(logger.level).toBe('debug');
    root.debug('now shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown', 'now shown']);
  });
});
