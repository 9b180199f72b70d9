// The model client of new runs, built from the settings each run resolves. The last one is kept
// while the base URL and key stay the same: a client learns things worth keeping (whether the
// server takes stream_options) and holds its connection pool.
import { ModelClient, type ModelClientOptions } from '../model/modelClient';

export type ClientTuning = Partial<Omit<ModelClientOptions, 'baseUrl' | 'apiKey'>>;

export class ModelClients {
  private last: { baseUrl: string; apiKey: string | undefined; client: ModelClient } | null = null;

  constructor(private readonly tuning: ClientTuning = {}) {}

  for(baseUrl: string, apiKey: string | undefined): ModelClient {
    if (this.last?.baseUrl === baseUrl && this.last.apiKey === apiKey) return this.last.client;
    // Runs already going keep the client they started with.
    const client = new ModelClient({ ...this.tuning, baseUrl, apiKey });
    this.last = { baseUrl, apiKey, client };
    return client;
  }
}
