// What running one cell gives back (CellResult), how a cell is run as recorded (CellReplay), and
// what a restart of the sandbox process did (RestartInfo): the parent's side of a cell's outcome,
// apart from the process that produced it (sandbox.ts).
import type { ClockRecord } from '../../../shared/clockRecord';
import type { CellCallTrace, CellDoneMessage, RandomPosition } from '../../../shared/sandboxProtocol';
import type { MadeCall } from './cellHostCalls';
import type { RecordedCallServer } from './recordedCalls';

/**
 * Every call of a cell (DESIGN §11): those the host took, in the order they were made; and, from
 * the sandbox, the order the code received the results in and the calls it refused itself (null
 * when the process was killed before it could tell).
 */
export interface CellCalls {
  made: MadeCall[];
  /** Calls taken past CELL_LIMITS.hostCalls, not in `made`. */
  madeCut?: number;
  trace: CellCallTrace | null;
}

export interface CellResult {
  output: string;
  droppedChars: number;
  error: string | null;
  /**
   * The error is the model's code's own (it threw, or does not parse), not the host's words about
   * it (a timeout, a killed or stopped sandbox): only the former is the model's output.
   */
  errorFromCode: boolean;
  timedOut: boolean;
  final: string | null;
  clock: ClockRecord;
  /** Where the cell's Math.random values started (null when it did not run). */
  random: RandomPosition | null;
  workMs: number;
  /** The process was killed and restarted: during this cell, or between the last one and this. */
  restart: RestartInfo | null;
  /** How many Math.random values the cell drew from `random`. */
  randomDraws: number;
  calls: CellCalls;
}

/**
 * Runs a cell as it was recorded (DESIGN §11, debugger/replay.ts): its clock and Math.random
 * values, and every host call answered by `calls` from the recording — `onCall` is never asked.
 */
export interface CellReplay {
  clock: ClockRecord;
  /** Where its Math.random values started; null when not recorded (it draws on from the process's). */
  random: RandomPosition | null;
  /** Its host calls answered from the recording (a replay); absent: served live by `onCall` (a fork's cell on its recorded path). */
  calls?: RecordedCallServer;
}

export interface RestartInfo {
  reason: string;
  when: 'during' | 'before';
  /** Earlier cells re-run to restore variables, and those that were not. */
  restoredCells: number;
  lostCells: number;
  /** What the restart took: a new process, its input loaded, and the re-runs. */
  ms: number;
  /** Cells were left out to keep within the restore budget: one restart's, or the sandbox's. */
  cut: 'restart' | 'sandbox' | null;
  /** That budget, in ms of re-running. */
  budgetMs: number;
}

/** What one restart did, as sandbox.ts's restart() reports it. */
export interface Restart {
  ok: boolean;
  error?: string;
  restoredCells: number;
  lostCells: number;
  ms: number;
  cut: RestartInfo['cut'];
  budgetMs: number;
}

export function restartInfo(reason: string, when: RestartInfo['when'], restart: Restart): RestartInfo {
  return { reason, when, restoredCells: restart.restoredCells, lostCells: restart.lostCells, ms: restart.ms, cut: restart.cut, budgetMs: restart.budgetMs };
}

/** A cell that did not run: no output, no calls, and the reason as its error. */
export function failure(error: string): CellResult {
  return {
    output: '',
    droppedChars: 0,
    error,
    errorFromCode: false,
    timedOut: false,
    final: null,
    clock: { runs: [], reads: 0 },
    random: null,
    randomDraws: 0,
    workMs: 0,
    restart: null,
    // No code ran: no calls, and that is known.
    calls: { made: [], trace: { received: [], refused: [], cut: 0 } },
  };
}

export function toResult(done: CellDoneMessage): Omit<CellResult, 'calls'> {
  return {
    output: done.output,
    droppedChars: done.droppedChars,
    error: done.error,
    errorFromCode: done.error !== null && !done.timedOut,
    timedOut: done.timedOut,
    final: done.final?.answer ?? null,
    clock: done.clock,
    random: done.random,
    randomDraws: done.randomDraws,
    workMs: done.workMs,
    restart: null,
  };
}
