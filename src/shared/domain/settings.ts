// The app's settings as the UI sees them, prices and what a connection check found. Plain data only.
import type { RunLimits } from '../limits';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  /** Price of prompt tokens served from the provider's cache; the input price when absent. */
  cachedInput?: number;
  output: number;
}

/** Where the API key of new runs comes from. */
export type ApiKeySource = 'stored' | 'environment' | 'none';

/**
 * The app's settings as the UI sees them. The API key itself never leaves the main process:
 * only whether one is stored, and where the key in use comes from.
 */
export interface AppSettings {
  baseUrl: string;
  apiKeyStored: boolean;
  apiKeySource: ApiKeySource;
  rootModel: string;
  subModel: string;
  /** Defaults of new runs (a run may override each). */
  limits: RunLimits;
  /** New runs answer a repeated (model, prompt) sub-call from the first answer (--dedupe-subcalls); off unless chosen. */
  dedupeSubcalls: boolean;
  /** The user's price overrides, by model id. */
  prices: Record<string, ModelPrice>;
  /** The bundled price table, for display (read-only). */
  defaultPrices: Record<string, ModelPrice>;
}

/** What `settings.testConnection` found; a failure is a result to show, not a thrown error. */
export interface ConnectionReport {
  ok: boolean;
  /** One line for the user: what worked, or what went wrong and what to try. */
  message: string;
  latencyMs: number;
  /** Model ids the endpoint lists (at most 200), when it lists them. */
  models: string[];
}
