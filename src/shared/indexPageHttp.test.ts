// The route's query and headers, read strictly: anything but plain whole numbers is refused by
// name, and what the server's headers say comes back as the NodeIndex it was.
import { describe, expect, it } from 'vitest';
import { indexPageHeaders, indexPagePath, readIndexPage, readIndexPageQuery } from './indexPageHttp';
import { encodeNodeIndex, NODE_INDEX_ENCODING } from './nodeIndex';

const query = (text: string) => {
  const params = new URLSearchParams(text);
  return readIndexPageQuery((name) => params.get(name));
};

describe('the query', () => {
  it('reads after and an optional limit, as the page writes them', () => {
    expect(query(indexPagePath('r-1', 2000, 10_000).split('?')[1] as string)).toEqual({ afterId: 2000, limit: 10_000 });
    expect(query('after=7')).toEqual({ afterId: 7 });
    expect(indexPagePath('r a/b', 1)).toBe('/index/r%20a%2Fb?after=1');
  });

  it('refuses anything but whole numbers, naming the parameter', () => {
    for (const bad of ['', 'after=', 'after=-1', 'after=+1', 'after=1.5', 'after=0x10', 'after= 1', `after=${'9'.repeat(16)}`, `after=${2 ** 53}`, `after=${'1'.repeat(17)}`]) {
      expect(query(bad), bad).toMatch(/^after: /);
    }
    // Any node id a run may hold: a portable file keeps its ids, up to 2^53 - 1.
    expect(query(`after=${Number.MAX_SAFE_INTEGER}&limit=3`)).toEqual({ afterId: Number.MAX_SAFE_INTEGER, limit: 3 });
    for (const bad of ['after=1&limit=', 'after=1&limit=-5', 'after=1&limit=1e4']) expect(query(bad), bad).toMatch(/^limit: /);
  });
});

describe('the headers', () => {
  it('carry a page whole, first or later, empty or not', () => {
    const bytes = new Uint8Array([91, 93]);
    for (const page of [
      { encoding: NODE_INDEX_ENCODING, base: { time: 1_796_589_675_846, models: ['gpt-5', 'gpt-5-mini'] }, lastId: 2000, complete: false, total: 100_024 },
      { encoding: NODE_INDEX_ENCODING, base: { time: -5, models: [null, 'ünï "mödel"\n\u202e%'] }, lastId: null, complete: true, total: null },
    ] as const) {
      const headers = indexPageHeaders(page);
      expect(Object.values(headers).every((value) => /^[\x21-\x7e]*$/.test(value))).toBe(true);
      expect(readIndexPage((name) => headers[name] ?? null, bytes)).toEqual({ ...page, bytes });
    }
  });

  it('that are missing or damaged are refused, never read as a last page', () => {
    const good = indexPageHeaders(encodeNodeIndex([]));
    const damaged: Array<[string, string | null]> = [
      ['x-rlm-index-encoding', 'columns-9'],
      ['x-rlm-index-encoding', null],
      ['x-rlm-index-last-id', null],
      ['x-rlm-index-last-id', '12abc'],
      ['x-rlm-index-complete', 'yes'],
      ['x-rlm-index-complete', null],
      ['x-rlm-index-total', '-3'],
      ['x-rlm-index-base', null],
      ['x-rlm-index-base', '%E0%A4%A'],
      ['x-rlm-index-base', encodeURIComponent('{"time":1}')],
      ['x-rlm-index-base', encodeURIComponent('{"time":"1","models":[null,null]}')],
      ['x-rlm-index-base', encodeURIComponent('{"time":1,"models":[null,7]}')],
    ];
    for (const [name, value] of damaged) {
      const headers: Record<string, string | null> = { ...good, [name]: value };
      expect(typeof readIndexPage((n) => headers[n] ?? null, new Uint8Array()), `${name}: ${value}`).toBe('string');
    }
  });
});
