// Live progress of a run on stderr: turn, depth, calls, tokens, cost, elapsed. One line redrawn
// in place on a terminal; a line per turn otherwise (logs, CI).
import type { RlmEvent } from '../../shared/api';
import type { RunTotals } from '../../shared/domain';
import { emptyTotals } from '../../shared/domain';
import { formatCost, formatDuration } from '../../shared/format';

export class Progress {
  private totals: RunTotals = emptyTotals();
  private turns = 0;
  private depth = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private lastLine = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    if (this.stream.isTTY) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  onEvent(event: RlmEvent): void {
    switch (event.type) {
      case 'run.totalsChanged':
        this.totals = event.totals;
        break;
      case 'run.nodeAdded':
        if (event.node.kind === 'rlm') this.depth = Math.max(this.depth, event.node.depth);
        if (event.node.kind === 'llm' && event.node.purpose === 'turn') {
          this.turns++;
          if (!this.stream.isTTY) this.stream.write(`${this.line()}\n`);
        }
        break;
      case 'run.limitReached':
        this.clear();
        this.stream.write(`limit reached: ${event.message}\n`);
        break;
      default:
        break;
    }
  }

  line(): string {
    const t = this.totals;
    return `turn ${this.turns} · depth ${this.depth} · ${t.modelCalls} calls · ${(t.inputTokens + t.outputTokens).toLocaleString('en-US')} tokens · ${formatCost(t.costUsd, t.pricedCostUsd, t.unpricedCalls)} · ${formatDuration(Date.now() - this.started)}`;
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

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.stream.isTTY) {
      this.clear();
      this.stream.write(`${this.line()}\n`);
    }
  }
}
