import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installJsonBodyParser, mayPoisonPrototype } from '../src/json-body';

const app = Fastify({ logger: false });
installJsonBodyParser(app);
app.post('/echo', (req) => ({ body: req.body }));

beforeAll(() => app.ready());
afterAll(() => app.close());

const post = (payload: string) =>
  app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    payload,
  });

describe('the JSON body parser', () => {
  it('parses ordinary bodies, with "constructor" as a value', async () => {
    const res = await post('{"instances":[{"x":1.5,"colour":"constructor"}]}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { instances: [{ x: 1.5, colour: 'constructor' }] } });
  });

  it('refuses prototype-poisoning keys, plain or escaped, with a 400', async () => {
    for (const payload of [
      '{"instances":[{"__proto__":{"admin":true}}]}',
      '{"\\u005f_proto__":{"admin":true}}',
      '{"a":{"constructor":{"prototype":{"admin":true}}}}',
      '{"\\u0063onstructor":{"prototype":{}}}',
    ]) {
      const res = await post(payload);
      expect(res.statusCode, payload).toBe(400);
    }
  });

  it('answers 400 for empty and malformed bodies', async () => {
    expect((await post('')).statusCode).toBe(400);
    expect((await post('{"instances": [')).statusCode).toBe(400);
  });

  it('sends every text that could hold such a key to the full check', () => {
    expect(mayPoisonPrototype('{"x":1}')).toBe(false);
    expect(mayPoisonPrototype('{"__proto__":1}')).toBe(true);
    expect(mayPoisonPrototype('{"constructor":1}')).toBe(true);
    expect(mayPoisonPrototype('{"\\u005f_proto__":1}')).toBe(true);
    expect(mayPoisonPrototype('{"x":"caf\\u00e9"}')).toBe(true);
  });
});
