// Run-away signals (issue 13): the detector, one file per signal, and what the engine feeds it.
export { RunawaySignals, type SignalInput } from './runawaySignals';
export { subCallKey } from './duplicates';
export type { ForecastLimits } from './spendForecast';
export * from './thresholds';
