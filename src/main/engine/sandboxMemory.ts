// The sandbox memory of a whole run. Each RLM (the root and every child `rlm_query` starts) has
// its own sandbox process with its own memory limit, but nothing bounded them together:
// `--max-depth 10`, four children per depth at once, allowed 41 sandboxes of 2 GB (issue 9).
//
// A run's sandboxes together may hold SANDBOXES_PER_RUN times one sandbox's memory (the root's:
// `--sandbox-memory-mb`, or 2 GB or 3× the input). A multiple of that, not a share of the
// machine's RAM: each sandbox's limit is a cap, not what it uses (most use a few tens of MB), so
// a share of RAM would refuse children on a small machine that runs them easily, and the run's
// bound would change from one machine to the next. Eight covers the root and seven children.
//
// A child that does not fit is refused at once, never queued: its parent holds its own memory
// while it waits for its children, so waiting could deadlock a tree whose every sandbox waits.

// Declared with the limits, whose --help and README say what it is.
import { DEFAULT_SANDBOX_MEMORY_MB } from '../../shared/limits';

export const SANDBOXES_PER_RUN = 8;

const MB = 1024 * 1024;

/** One sandbox's memory limit: the one set, or 3× its context, at least 2 GB. */
export function sandboxMemoryMb(limitMb: number | null, contextBytes: number): number {
  return limitMb ?? Math.max(DEFAULT_SANDBOX_MEMORY_MB, Math.ceil((3 * contextBytes) / MB));
}

export type MemoryGrant = { ok: true; release: () => void } | { ok: false; heldMb: number; totalMb: number };

export class SandboxMemory {
  private heldMb = 0;

  constructor(readonly totalMb: number) {
    if (!(Number.isFinite(totalMb) && totalMb > 0)) throw new Error(`invalid sandbox memory budget: ${totalMb} MB`);
  }

  /** Memory held by sandboxes now, in MB. */
  get held(): number {
    return this.heldMb;
  }

  /** Holds `mb` if it fits beside what is held; never waits. Releasing twice releases once. */
  reserve(mb: number): MemoryGrant {
    if (!(Number.isFinite(mb) && mb > 0)) throw new Error(`invalid sandbox memory: ${mb} MB`);
    if (this.heldMb + mb > this.totalMb) return { ok: false, heldMb: this.heldMb, totalMb: this.totalMb };
    this.heldMb += mb;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.heldMb -= mb;
      },
    };
  }
}

/** What `rlm_query` throws to the model when its child's sandbox does not fit. */
export function childRefusal(neededMb: number, refused: { heldMb: number; totalMb: number }, sandboxMb: number): string {
  const sandboxes = Math.round(refused.totalMb / sandboxMb);
  return (
    `rlm_query refused: the run's sandboxes already hold ${size(refused.heldMb)} of its ${size(refused.totalMb)} of sandbox memory ` +
    `(${sandboxes} sandboxes of ${size(sandboxMb)}) and a child RLM needs ${size(neededMb)}; ` +
    'await the child RLMs already started before starting more, or use llm_query'
  );
}

/** 2048 → "2 GB", 1792 → "1.75 GB", 256 → "256 MB". */
export function size(mb: number): string {
  if (mb < 1024) return `${mb.toLocaleString('en-US')} MB`;
  const gb = Math.round((mb / 1024) * 100) / 100;
  return `${gb.toLocaleString('en-US')} GB`;
}
