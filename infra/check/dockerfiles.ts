import fs from 'node:fs';
import path from 'node:path';
import { APP_PORTS } from './apps';
import type { Report } from './report';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return logical.map((l) => {
    const [op = '', ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
}

/**
 * hadolint is not packaged for Debian or npm, so this lints what the platform promises of each
 * image: multi-stage with `turbo prune --docker`, production dependencies only, pinned bases
 * (never `latest`) — Node 20 on Debian bookworm slim to build, and the same Debian release's slim
 * image for the runtime, which takes only the `node` binary (no npm, no C headers) — a non-root
 * user and a HEALTHCHECK in the final stage.
 */
export function lintDockerfile(file: string, app: string, scope: string, report: Report): void {
  const name = path.basename(file);
  const ins = parseDockerfile(fs.readFileSync(file, 'utf8'));
  const args = new Map<string, string>();
  for (const i of ins) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(i.args);
    if (i.op === 'ARG' && m) args.set(m[1]!, m[2]!);
  }
  const expand = (s: string) =>
    s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v: string) => args.get(v) ?? `$${v}`);

  const froms = ins.filter((i) => i.op === 'FROM');
  const stages = new Set(
    froms.map((f) => /\bAS\s+(\S+)/i.exec(f.args)?.[1]).filter((s): s is string => !!s),
  );
  report.expect(froms.length >= 2, `${name}: multi-stage build (found ${froms.length} FROM)`);
  for (const f of froms) {
    const image = expand(f.args.split(/\s+/)[0] ?? '');
    if (stages.has(image)) continue;
    report.expect(
      /:[^/]+$/.test(image) && !image.endsWith(':latest'),
      `${name}: base image "${image}" has a pinned tag (not latest)`,
    );
    report.expect(
      /^node:20[.\d]*-bookworm-slim$/.test(image) || image === 'debian:bookworm-slim',
      `${name}: base image "${image}" is Node 20 on Debian bookworm slim, or that Debian alone`,
    );
  }
  const runtimeBase = expand(froms.at(-1)?.args.split(/\s+/)[0] ?? '');
  if (runtimeBase === 'debian:bookworm-slim') {
    report.expect(
      ins.some((i) => i.op === 'COPY' && /\/usr\/local\/bin\/node\b/.test(i.args)),
      `${name}: a Debian-only final stage copies the node binary from a Node 20 stage`,
    );
  }
  const text = ins.map((i) => `${i.op} ${i.args}`).join('\n');
  report.expect(
    new RegExp(`turbo prune @${scope}/${app} --docker`).test(text),
    `${name}: turbo prune @${scope}/${app} --docker`,
  );
  report.expect(
    /npm ci[^\n]*--omit=dev/.test(text),
    `${name}: production dependencies installed with npm ci --omit=dev`,
  );

  const lastFrom = ins.map((i) => i.op).lastIndexOf('FROM');
  const final = ins.slice(lastFrom);
  const user = final.filter((i) => i.op === 'USER').at(-1)?.args;
  report.expect(
    !!user && !/^(root|0)(:|$)/.test(user),
    `${name}: final stage runs as a non-root USER (found ${user ?? 'none'})`,
  );
  report.expect(
    final.some((i) => i.op === 'HEALTHCHECK' && /\/healthz/.test(i.args)),
    `${name}: final stage has a HEALTHCHECK on /healthz`,
  );
  report.expect(
    final.some((i) => i.op === 'CMD' && i.args.includes(`apps/${app}/dist/server.js`)),
    `${name}: CMD runs apps/${app}/dist/server.js`,
  );
  const port = APP_PORTS[app];
  if (port) {
    report.expect(
      final.some((i) => i.op === 'EXPOSE' && i.args.split(/\s+/).includes(String(port.port))),
      `${name}: EXPOSE ${port.port}`,
    );
    report.expect(
      final.some((i) => i.op === 'ENV' && i.args.includes(`${port.variable}=${port.port}`)),
      `${name}: ENV ${port.variable}=${port.port}`,
    );
  }
  // Apps listen on loopback unless told otherwise; a container must listen on its interface.
  report.expect(
    final.some((i) => i.op === 'ENV' && /\bMLOPS_BIND=0\.0\.0\.0\b/.test(i.args)),
    `${name}: ENV MLOPS_BIND=0.0.0.0`,
  );
  report.expect(
    !ins.some((i) => i.op === 'ADD' && /^https?:/.test(i.args)),
    `${name}: no ADD of remote URLs`,
  );
  report.expect(
    fs.existsSync(`${file}.dockerignore`),
    `${name}: has ${name}.dockerignore (node_modules and dist stay out of the context)`,
  );
}
