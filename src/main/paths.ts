import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where RLMScope keeps its data: RLMSCOPE_HOME, or ~/.rlmscope. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.RLMSCOPE_HOME || join(homedir(), '.rlmscope');
}

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'rlmscope.db');
}
