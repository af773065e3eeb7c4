import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorsOf, checkLinks, documentationFiles, githubSlug, linksOf } from '../ci/check-links';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-links-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A throwaway repository of Markdown files; returns its root. */
function repo(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(tmp, 'repo-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('githubSlug', () => {
  it('lower-cases, drops punctuation and joins words with hyphens', () => {
    expect(githubSlug('Promotion policy (the gate)')).toBe('promotion-policy-the-gate');
    expect(githubSlug('On one machine: the demo and `npm start`')).toBe(
      'on-one-machine-the-demo-and-npm-start',
    );
    expect(githubSlug('The `mlops` command')).toBe('the-mlops-command');
    expect(githubSlug('Events, reports, alerts')).toBe('events-reports-alerts');
    expect(githubSlug('[Linked](x.md) heading')).toBe('linked-heading');
  });
});

describe('anchorsOf', () => {
  it('numbers repeated headings and ignores headings inside code blocks', () => {
    const anchors = anchorsOf(
      ['# Tests', '## Tests', '```sh', '# not a heading', '```', '<a id="custom"></a>'].join('\n'),
    );
    expect([...anchors].sort()).toEqual(['custom', 'tests', 'tests-1']);
  });
});

describe('linksOf', () => {
  it('finds inline, image, reference and HTML links but not those in code', () => {
    const links = linksOf(
      [
        'See [a](a.md) and ![img](p.png "title").',
        '`[not](code.md)` and [b](<b c.md>)',
        '```',
        '[not](fenced.md)',
        '```',
        '[ref]: docs/ref.md',
        '<img src="x.png">',
      ].join('\n'),
    );
    expect(links).toEqual([
      { line: 1, target: 'a.md' },
      { line: 1, target: 'p.png' },
      { line: 2, target: 'b c.md' },
      { line: 6, target: 'docs/ref.md' },
      { line: 7, target: 'x.png' },
    ]);
  });
});

describe('checkLinks', () => {
  it('passes links to files, folders and headings that exist', () => {
    const root = repo({
      'README.md': [
        '# Top',
        '[guide](docs/guide.md#set-it-up) [here](#top) [docs](docs/) [web](https://example.com/x)',
        '[mail](mailto:a@b.c) [root](/docs/guide.md) [space](docs/a%20b.md)',
      ].join('\n'),
      'docs/guide.md': '# Guide\n\n## Set it up\n\n[back](../README.md#top)\n',
      'docs/a b.md': 'text\n',
    });
    expect(checkLinks(root, documentationFiles(root))).toEqual([]);
  });

  it('reports a missing file, a missing heading and a path outside the repository', () => {
    const root = repo({
      'README.md': [
        '# Top',
        '[gone](docs/gone.md)',
        '[anchor](docs/guide.md#nowhere)',
        '[self](#missing)',
        '[notes](../shared/NOTES.md)',
      ].join('\n'),
      'docs/guide.md': '# Guide\n',
    });
    expect(checkLinks(root, documentationFiles(root))).toEqual([
      { file: 'README.md', line: 2, target: 'docs/gone.md', reason: 'no such file' },
      {
        file: 'README.md',
        line: 3,
        target: 'docs/guide.md#nowhere',
        reason: 'no heading #nowhere',
      },
      { file: 'README.md', line: 4, target: '#missing', reason: 'no heading #missing' },
      {
        file: 'README.md',
        line: 5,
        target: '../shared/NOTES.md',
        reason: 'points outside the repository',
      },
    ]);
  });

  it('covers README, CONTRIBUTING, CHANGELOG and every Markdown file under docs/', () => {
    const root = repo({
      'README.md': '',
      'CONTRIBUTING.md': '',
      'docs/a.md': '',
      'docs/deeper/b.md': '[x](nope.md)',
      'docs/c.txt': '',
      'apps/x/README.md': '[x](nope.md)',
    });
    expect(documentationFiles(root).sort()).toEqual([
      'CONTRIBUTING.md',
      'README.md',
      'docs/a.md',
      'docs/deeper/b.md',
    ]);
    expect(checkLinks(root, documentationFiles(root))).toHaveLength(1);
  });
});

describe("the repository's own documentation", () => {
  it('has no broken relative link or anchor', () => {
    expect(checkLinks(repoRoot, documentationFiles(repoRoot))).toEqual([]);
  });
});
