import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (file: string): Set<string> => {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading!)));
};

/** Relative links of a page, outside code blocks: [text](target) with no scheme. */
const linksOf = (page: string): string[] => {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!).filter((target) => !/^[a-z]+:/.test(target));
};

describe('links in README.md and docs/', () => {
  it.each(pages)('%s: every relative link names a file that exists, and a heading in it', (page) => {
    const broken: string[] = [];
    for (const link of linksOf(page)) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? join(root, page) : join(root, dirname(page), path);
      if (!existsSync(target)) broken.push(`${link} (no file ${relative(root, target)})`);
      else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) broken.push(`${link} (no heading #${anchor})`);
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s: names no issue number and holds no to-do (a page says what is, not what the tracker says)', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    expect(text.match(/\b(issue|ticket) #?\d+|\bTODO\b|\bFIXME\b|\bto-do\b/gi) ?? []).toEqual([]);
  });

  it('finds the links it checks', () => {
    expect(linksOf('README.md')).toContain('docs/ARCHITECTURE.md');
  });
});
