// The `debugger` slice (src/shared/api/debugger.ts): two runs compared (debugger/runDiff.ts),
// with one line per aligned pair for the page to draw.
import type { ComparisonStep, debuggerMethods } from '../../shared/api/debugger';
import type { NodeRow } from '../../shared/domain/node';
import { preorder } from '../../shared/tree';
import { diffRuns } from '../debugger/runDiff';
import type { RunReader } from '../store/runReader';
import type { Handlers } from './handlers';

export function debuggerHandlers(store: RunReader): Handlers<keyof typeof debuggerMethods> {
  return {
    'runs.compare': async ({ a, b }) => {
      const { comparison, runs, nodes } = diffRuns(store, a, b);
      const rows = { a: placed(nodes.a), b: placed(nodes.b) };
      // Where each node's pair is, to point a step at its parent's.
      const indexOf = { a: new Map<number, number>(), b: new Map<number, number>() };
      comparison.pairs.forEach((pair, i) => {
        if (pair.a !== null) indexOf.a.set(pair.a, i);
        if (pair.b !== null) indexOf.b.set(pair.b, i);
      });
      const steps = comparison.pairs.map((pair): ComparisonStep => {
        const x = pair.a !== null ? rows.a.get(pair.a) : undefined;
        const y = pair.b !== null ? rows.b.get(pair.b) : undefined;
        const row = x ?? y;
        if (!row) return { kind: 'rlm', purpose: null, level: 0, ordinal: 1, parent: null, labels: { a: null, b: null } };
        const parentId = row.node.parentId;
        const parent = parentId === null ? null : (indexOf[x ? 'a' : 'b'].get(parentId) ?? null);
        return { kind: row.node.kind, purpose: row.node.purpose, level: row.level, ordinal: row.ordinal, parent, labels: { a: x?.node.label ?? null, b: y?.node.label ?? null } };
      });
      return { comparison, runs, steps };
    },
  };
}

interface Placed {
  node: NodeRow;
  level: number;
  ordinal: number;
}

/** Each node with its level and its position among its parent's children of its kind, in one pass. */
function placed(nodes: NodeRow[]): Map<number, Placed> {
  const out = new Map<number, Placed>();
  const seen = new Map<string, number>();
  // Preorder visits each parent's children in order, so a running count per parent and kind is the ordinal.
  for (const { node, level } of preorder(nodes)) {
    const key = `${node.parentId ?? ''}:${node.kind}:${node.kind === 'llm' && node.purpose === 'sub' ? 'sub' : ''}`;
    const ordinal = (seen.get(key) ?? 0) + 1;
    seen.set(key, ordinal);
    out.set(node.id, { node, level, ordinal });
  }
  return out;
}
