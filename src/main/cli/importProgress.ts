// Progress of `rlmscope import` on stderr, for files big enough to take a while: one line redrawn
// in place on a terminal; a line per tenth of the file otherwise (logs, CI). Small files print
// nothing here: their result line comes at once.
import type { ProgressStream } from './progress';

/** Files smaller than this import in well under a second: no progress for them. */
export const PROGRESS_FROM_BYTES = 8 * 1024 * 1024;

export class ImportProgressLine {
  private lastDrawn = -1;
  private drawn = false;

  constructor(
    private readonly name: string,
    private readonly totalBytes: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {}

  get enabled(): boolean {
    return this.totalBytes >= PROGRESS_FROM_BYTES;
  }

  update(bytesRead: number): void {
    if (!this.enabled) return;
    const percent = Math.min(100, Math.floor((bytesRead / this.totalBytes) * 100));
    // On a terminal every percent; elsewhere every ten, so a log file gets ten lines, not a hundred.
    const step = this.stream.isTTY ? percent : percent - (percent % 10);
    if (step === this.lastDrawn) return;
    this.lastDrawn = step;
    const line = `importing ${this.name}: ${percent}% (${megabytes(bytesRead)} of ${megabytes(this.totalBytes)} MB)`;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${line}`);
    else this.stream.write(`${line}\n`);
    this.drawn = true;
  }

  /** Clears the redrawn line, before the file's result is printed. */
  done(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
