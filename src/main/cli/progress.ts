// Live progress of a run on stderr: the root's turn, the current depth, calls, tokens, cost,
// elapsed. One line redrawn in place on a terminal; a line per root turn otherwise (logs, CI).
// A run-away signal (issue 13) is printed on a line of its own the first time it appears.
// The last line is the run's final totals, printed once: the engine's last totals event can
// arrive after the run has ended, so they come from the run's summary, not from the events.
import type { RlmEvent } from '../../shared/api';
import type { RunTotals } from '../../shared/domain/run';
import { emptyTotals } from '../../shared/domain/run';
import { formatCost, formatDuration } from '../../shared/format';
import { inputProgressLine } from '../../shared/inputProgress';
import { counted, signalLine, terminalSafe } from './format';

/** What Progress writes to: process.stderr, or a test's fake (isTTY set or not). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Milliseconds between redraws on a terminal. */
  redrawMs?: number;
  now?: () => number;
}

export class Progress {
  private totals: RunTotals = emptyTotals();
  /** Turns of the root RLM only: each child RLM counts its own, and they are not the run's. */
  private rootTurns = 0;
  /** The RLMs running now, by node id, with their depth. */
  private readonly running = new Map<number, number>();
  private readonly now: () => number;
  private readonly started: number;
  private timer: NodeJS.Timeout | null = null;
  private lastLine = '';
  private stopped = false;
  /**
   * The signals already printed, by kind and node: each is printed once, when it first appears.
   * A signal that changes (its count grows on every duplicate) is not printed again, nor one
   * withdrawn, nor one that comes back after it was.
   */
  private readonly signalsPrinted = new Set<string>();

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    if (this.stream.isTTY) {
      this.timer = setInterval(() => this.draw(), options.redrawMs ?? 250);
      this.timer.unref();
    }
  }

  onEvent(event: RlmEvent): void {
    if (this.stopped) return;
    switch (event.type) {
      case 'run.totalsChanged':
        this.totals = event.totals;
        break;
      case 'run.nodeAdded':
      case 'run.nodeUpdated': {
        const { node } = event;
        if (node.kind === 'rlm') {
          if (node.status === 'running') this.running.set(node.id, node.depth);
          else this.running.delete(node.id);
        }
        if (event.type === 'run.nodeAdded' && node.kind === 'llm' && node.purpose === 'turn' && node.depth === 0) {
          this.rootTurns++;
          if (!this.stream.isTTY) this.stream.write(`${this.line()}\n`);
        }
        break;
      }
      case 'run.signalsChanged':
        for (const signal of event.signals) {
          const key = `${signal.kind}:${signal.nodeId ?? 'run'}`;
          if (this.signalsPrinted.has(key)) continue;
          this.signalsPrinted.add(key);
          this.clear();
          // The message may quote a model's output: shown, never obeyed (terminalSafe), on one line.
          this.stream.write(`${terminalSafe(`signal: ${signalLine(signal)}`)}\n`);
          this.lastLine = '';
        }
        break;
      case 'run.inputProgress':
        this.clear();
        // The name is the user's own file name, still never obeyed as terminal codes.
        this.stream.write(`${terminalSafe(inputProgressLine(event))}\n`);
        this.lastLine = '';
        break;
      case 'run.limitReached':
        this.clear();
        this.stream.write(`limit reached: ${event.message}\n`);
        this.lastLine = '';
        break;
      default:
        break;
    }
  }

  /** The depth of the deepest RLM running now (several children may run at once). */
  depth(): number {
    let deepest = 0;
    for (const depth of this.running.values()) deepest = Math.max(deepest, depth);
    return deepest;
  }

  line(elapsedMs = this.now() - this.started): string {
    const t = this.totals;
    // Once stopped nothing runs: the deepest level the run reached says more than "depth 0".
    const depth = this.stopped ? `deepest ${t.maxDepthReached}` : `depth ${this.depth()}`;
    return `turn ${this.rootTurns} · ${depth} · ${counted(t.modelCalls, 'call')} · ${(t.inputTokens + t.outputTokens).toLocaleString('en-US')} tokens · ${formatCost(t.costUsd, t.pricedCostUsd, t.unpricedCalls)} · ${formatDuration(elapsedMs)}`;
  }

  private draw(): void {
    const line = this.line();
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.stream.write(`\r\x1b[K${line}`);
  }

  private clear(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
  }

  /**
   * Prints the last line, once, with the run's final totals and duration when given (the
   * summary of the finished run), then stops. Later calls and events do nothing.
   */
  stop(final?: RunTotals & { durationMs: number | null }): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (final) this.totals = final;
    this.clear();
    this.stream.write(`${this.line(final?.durationMs ?? undefined)}\n`);
  }
}
