// Budget forecast: at the current spend rate, the run's cost or token limit will be reached soon
// (spendForecast.ts does the arithmetic). Shown only while the run is going: a pause restarts the
// rate, and the end withdraws the signal.
import type { RunStatus, RunTotals } from '../../../shared/domain/run';
import type { SignalBook } from './book';
import { SpendForecast, type ForecastLimits, type ForecastThresholds } from './spendForecast';

const ID = 'budget-forecast';

export class BudgetForecast {
  private readonly forecast: SpendForecast;
  private running = true;

  constructor(
    private readonly book: SignalBook,
    thresholds: ForecastThresholds,
  ) {
    this.forecast = new SpendForecast(thresholds);
  }

  /** A turn of the root RLM began. */
  rootTurn(): void {
    this.forecast.rootTurn();
  }

  totals(totals: RunTotals, at: number, limits: ForecastLimits): void {
    if (!this.running) return;
    const forecast = this.forecast.observe(totals, at, limits);
    if (!forecast) {
      this.book.withdraw(ID);
      return;
    }
    const { limit, secondsLeft, turnsLeft } = forecast;
    this.book.report({
      id: ID,
      kind: 'budget-forecast',
      nodeId: null,
      message: forecast.message,
      costUsd: totals.costUsd,
      seen: { kind: 'budget-forecast', limit, secondsLeft, turnsLeft },
    });
  }

  status(status: RunStatus | 'finished'): void {
    const running = status === 'running';
    if (running === this.running) return;
    this.running = running;
    // A pause or an end: the forecast no longer holds.
    this.forecast.restart();
    if (!running) this.book.withdraw(ID);
  }

  samplesKept(): number {
    return this.forecast.samplesKept();
  }
}
