// Notices an RLM going round in circles: the same code, or the same output, several turns in a
// row. The first time it warns the model; if the next turn repeats again, the run is stopped.
// (The paper's cost tail comes from such loops: DESIGN §1.)

export type RunawayVerdict = { action: 'ok' } | { action: 'warn' | 'stop'; what: string; turns: number };

export class RunawayGuard {
  private lastCode: string | null = null;
  /** Output of the last turn ('' when it printed nothing). */
  private lastOutput: string | null = null;
  private sameCode = 0;
  private sameOutput = 0;
  private warned = false;

  constructor(private readonly threshold = 3) {}

  /**
   * One turn: the code it ran (null when the reply had none) and what came back (its output, or
   * the reply itself when it had no code). Empty output says nothing about a loop: a turn that
   * only declares variables prints nothing, and several such turns are normal.
   */
  observe(code: string | null, output: string): RunawayVerdict {
    this.sameCode = code !== null && code === this.lastCode ? this.sameCode + 1 : code === null ? 0 : 1;
    this.sameOutput = output !== '' && output === this.lastOutput ? this.sameOutput + 1 : output === '' ? 0 : 1;
    this.lastCode = code;
    this.lastOutput = output;
    const turns = Math.max(this.sameCode, this.sameOutput);
    if (turns < this.threshold) {
      this.warned = false;
      return { action: 'ok' };
    }
    const what = this.sameCode >= this.sameOutput ? 'ran the same code' : 'produced the same output';
    if (this.warned) return { action: 'stop', what, turns };
    this.warned = true;
    return { action: 'warn', what, turns };
  }
}
