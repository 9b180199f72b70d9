// ============================================================================================
// SECURITY — the sandbox process's environment, for both launchers. Explicit and minimal:
// nothing of the parent's (the API key lives there) but what the OS needs to start a process.
// It must also be NON-EMPTY: Electron's utilityProcess clears the child's environment only
// when `env` has at least one entry, so `env: {}` would hand the sandbox the parent's whole
// environment, OPENAI_API_KEY included (research/sandbox.md §3).
// ============================================================================================
export function sandboxEnvironment(platform: NodeJS.Platform = process.platform, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { NODE_ENV: 'production' };
  // Windows cannot start a process without SystemRoot.
  if (platform === 'win32' && parent.SystemRoot) env.SystemRoot = parent.SystemRoot;
  return env;
}
