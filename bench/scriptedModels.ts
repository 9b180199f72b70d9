// What the scripted root and sub-models are called and how they write code, shared by the
// benchmarks and the provider process (which must not load the engine).

export const ROOT = 'bench-root';
export const SUB = 'bench-sub';

/** Code in a ```repl block, as a model writes it. */
export function repl(code: string): string {
  return `Let me run this.\n\`\`\`repl\n${code}\n\`\`\``;
}

/** Assistant turns so far in a conversation. */
export function turnOf(messages: { role: string }[]): number {
  return messages.filter((m) => m.role === 'assistant').length;
}
