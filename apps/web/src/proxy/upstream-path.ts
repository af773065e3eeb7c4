/**
 * Which path (and query) a proxied request may ask of its upstream, or why it may not.
 *
 * The proxy must only ever reach its configured upstream, so anything a URL parser (ours, the
 * HTTP client's, or the upstream's router) could read as another host or as a step out of the
 * upstream's root is refused rather than rewritten: an empty segment (`//host`), a backslash
 * (`\\host`, which WHATWG URL parsing treats as a slash), `.`/`..` segments, an encoded slash or
 * backslash (`%2F`, `%5C`), and any of these hidden under one or more layers of percent-encoding.
 * The services' paths are plain names and numbers, so none of this is ever legitimate.
 */
export type UpstreamPath =
  { ok: true; path: string; query: string } | { ok: false; reason: string };

/** RFC 3986 `pchar` plus `/`: every other byte in a request path is refused. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
/** How many layers of percent-encoding we undo while looking for a hidden separator. */
const MAX_DECODES = 4;

const refuse = (reason: string): UpstreamPath => ({ ok: false, reason });

/**
 * `rawUrl` is the request target exactly as received (`/registry/trpc/x?batch=1`), `prefix` the
 * mount point (`/registry`). Returns the upstream path with the prefix stripped.
 */
export function upstreamPath(rawUrl: string, prefix: string): UpstreamPath {
  if (!rawUrl.startsWith(prefix)) return refuse(`the path must start with ${prefix}`);
  const rest = rawUrl.slice(prefix.length);
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? '' : rest.slice(q);
  if (path === '') return { ok: true, path: '/', query };
  if (!path.startsWith('/')) return refuse(`the path must continue with "/" after ${prefix}`);
  if (!PATH_CHARS.test(path)) {
    return refuse('the path has a character outside RFC 3986 (backslash, space, #, non-ASCII…)');
  }
  let layer = path;
  for (let i = 0; i <= MAX_DECODES; i++) {
    const problem = separatorProblem(layer);
    if (problem) return refuse(problem);
    if (!layer.includes('%')) return { ok: true, path, query };
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return refuse('the path has a malformed percent-encoding');
    }
    if (decoded === layer) return { ok: true, path, query };
    layer = decoded;
  }
  return refuse(`the path is percent-encoded more than ${MAX_DECODES} times`);
}

function separatorProblem(layer: string): string | undefined {
  if (/[\\]/.test(layer)) return 'the path has a backslash (read as "/" by URL parsers)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(layer)) return 'the path has a control character';
  if (layer.includes('//')) return 'the path has an empty segment ("//" could name another host)';
  if (/(^|\/)\.{1,2}(\/|$)/.test(layer)) return 'the path has a "." or ".." segment';
  if (/%(2f|5c)/i.test(layer)) return 'the path has an encoded "/" or "\\"';
  return undefined;
}
