// The `settings` slice of the RlmApi: what new runs use (provider, models, default limits,
// prices), read, changed, and tried against the provider before saving.
import { z } from 'zod';
import type { AppSettings, ConnectionReport } from '../domain/settings';
import { baseUrlSchema, emptyParamsSchema, modelNameSchema, settingsUpdateSchema } from '../schemas';

/** Each field given is tried instead of the saved one (to test before saving). */
export const testConnectionSchema = z
  .strictObject({
    baseUrl: baseUrlSchema.optional(),
    apiKey: z.string().trim().min(1).max(4000).optional(),
    model: modelNameSchema.optional(),
  })
  .default({});

export const settingsMethods = {
  'settings.get': emptyParamsSchema,
  'settings.update': settingsUpdateSchema,
  'settings.testConnection': testConnectionSchema,
} as const;

export interface SettingsResults {
  'settings.get': AppSettings;
  'settings.update': AppSettings;
  'settings.testConnection': ConnectionReport;
}
