// Checks the relative links of the documentation without the network: every link in README.md,
// CONTRIBUTING.md, CHANGELOG.md and docs/**/*.md must name a file or folder inside the
// repository, and an anchor must name a heading of the Markdown file it points into. Links
// with a scheme (https:, mailto:) are left alone: checking them needs the network, and a
// fork's CI should not fail because someone else's site is down.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

interface Link {
  line: number;
  target: string;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const ATX_HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const INLINE_LINK =
  /!?\[(?:[^\]\\]|\\.)*\]\(\s*(?:<([^>]*)>|([^)\s]*))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const HTML_ATTRIBUTE = /\b(?:href|src)="([^"]*)"/g;
const HTML_ANCHOR = /\b(?:id|name)="([^"]*)"/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const m = FENCE.exec(text);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (m[1] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text });
  });
  return out;
}

/** Inline code cannot hold a link; blanking it keeps `[x](y)` inside backticks from counting. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading anchors on its text
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers: its headings (repeats get -1, -2, …) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = ATX_HEADING.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1]!);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const m of text.matchAll(HTML_ANCHOR)) anchors.add(m[1]!);
  }
  return anchors;
}

/** Links of a Markdown file outside code: inline, reference definitions, HTML href/src. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text);
    for (const m of prose.matchAll(INLINE_LINK)) links.push({ line, target: (m[1] ?? m[2])! });
    const definition = REFERENCE_DEFINITION.exec(prose);
    if (definition) links.push({ line, target: definition[1]! });
    for (const m of prose.matchAll(HTML_ATTRIBUTE)) links.push({ line, target: m[1]! });
  }
  return links;
}

/** The documentation the check covers, relative to the repository root. */
export function documentationFiles(root: string): string[] {
  const files = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].filter((f) =>
    fs.existsSync(path.join(root, f)),
  );
  const walk = (dir: string): void => {
    if (!fs.existsSync(path.join(root, dir))) return;
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) files.push(rel);
    }
  };
  walk('docs');
  return files;
}

/** Broken links of `files` (paths relative to `root`). */
export function checkLinks(root: string, files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (abs: string): Set<string> => {
    let anchors = anchorCache.get(abs);
    if (!anchors) {
      anchors = anchorsOf(fs.readFileSync(abs, 'utf8'));
      anchorCache.set(abs, anchors);
    }
    return anchors;
  };
  const rootAbs = path.resolve(root);
  for (const file of files) {
    const fileAbs = path.join(rootAbs, file);
    for (const { line, target } of linksOf(fs.readFileSync(fileAbs, 'utf8'))) {
      if (target === '' || SCHEME.test(target) || target.startsWith('//')) continue;
      const fail = (reason: string): void => {
        broken.push({ file, line, target, reason });
      };
      const hash = target.indexOf('#');
      const rawPath = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      let resolved = fileAbs;
      if (rawPath !== '') {
        const decoded = decodeURIComponent(rawPath.split('?')[0]!);
        resolved = decoded.startsWith('/')
          ? path.join(rootAbs, decoded) // GitHub resolves a leading slash from the root
          : path.resolve(path.dirname(fileAbs), decoded);
        if (resolved !== rootAbs && !resolved.startsWith(rootAbs + path.sep)) {
          fail('points outside the repository');
          continue;
        }
        if (!fs.existsSync(resolved)) {
          fail('no such file');
          continue;
        }
      }
      if (anchor === undefined || anchor === '') continue;
      if (!resolved.endsWith('.md') || fs.statSync(resolved).isDirectory()) continue;
      if (!anchorsIn(resolved).has(anchor.toLowerCase())) fail(`no heading #${anchor}`);
    }
  }
  return broken;
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const files = documentationFiles(root);
  const broken = checkLinks(root, files);
  for (const b of broken) console.log(`${b.file}:${b.line}: ${b.target}: ${b.reason}`);
  console.log(`links: ${files.length} files checked, ${broken.length} broken`);
  if (broken.length > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
