import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from './navStore';

describe('routes', () => {
  it('round-trip through the hash', () => {
    const routes: Route[] = [{ view: 'runs' }, { view: 'new' }, { view: 'settings' }, { view: 'run', runId: 'r-1 2/3' }, { view: 'run', runId: 'r-1', node: 0 }, { view: 'run', runId: 'r?x', node: 42 }, { view: 'run', runId: 'r-big', node: 2 ** 53 - 1 }, { view: 'compare', a: 'r-a/1', b: 'r b' }];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('falls back to the runs list for anything unknown', () => {
    expect(parseRoute('')).toEqual({ view: 'runs' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'runs' });
    expect(parseRoute('#/compare/only-one')).toEqual({ view: 'runs' });
    // A node that is not a whole number is no route to a node.
    expect(parseRoute('#/runs/r-1?node=x')).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/r-1?node=-3')).toEqual({ view: 'runs' });
    expect(parseRoute(`#/runs/r-1?node=${2 ** 53}`)).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/r-1?node=12345678901234567')).toEqual({ view: 'runs' });
  });
});
