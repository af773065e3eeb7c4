import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * True unless a plain search proves the text has no `__proto__` or `constructor` key: each of
 * secure-json-parse's suspect patterns starts with those letters or with a `\u` escape of one.
 */
export function mayPoisonPrototype(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Fastify's own JSON parse of a body's text (secure-json-parse: a `__proto__` or `constructor`
 * key is a 400, malformed JSON a 400 naming the problem), made in `app`'s context.
 */
export function jsonTextParser(
  app: FastifyInstance,
): (request: FastifyRequest, text: string, done: Done) => void {
  const checked = app.getDefaultJsonParser('error', 'error');
  const plain = app.getDefaultJsonParser('ignore', 'ignore');
  return (request, text, done) => {
    void (mayPoisonPrototype(text) ? checked : plain)(request, text, done);
  };
}

/**
 * Fastify's own JSON body parser (secure-json-parse: a `__proto__` or `constructor` key is a
 * 400), without its two regular-expression scans of every body when a plain search shows they
 * cannot match. The scans cost about 2% of a 1-row prediction's CPU; `String.includes` a tenth
 * of that. A body that might hold such a key goes through the full check, so nothing changes
 * for it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = jsonTextParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    parse(req, body as string, done),
  );
}

/**
 * TF Serving reads every body as JSON whatever its Content-Type: its own documented
 * `curl -d '{"instances": …}'` sends `application/x-www-form-urlencoded`, Python's
 * `requests.post(url, data=…)` sends none. In `app`'s context (a protocol's plugin), a body of
 * any type without a parser of its own is parsed as JSON, bounded by `bodyLimit` like JSON.
 * Fastify's `text/plain` parser is dropped so such bodies are JSON too.
 */
export function acceptJsonOfAnyType(app: FastifyInstance, bodyLimit: number): void {
  const parse = jsonTextParser(app);
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (req, body, done) =>
    parse(req, body as string, done),
  );
}
