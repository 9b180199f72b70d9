// The lint step keeps each process's code from importing another's (DESIGN §2).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: `${__dirname}/..` });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('process boundaries', () => {
  it('keeps src/shared free of Node, Electron and the DOM', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'src/shared/x.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/shared/x.ts')).toContain('no-restricted-imports');
    expect(await ruleIds('export const x = () => window.location;\n', 'src/shared/x.ts')).toContain('no-restricted-globals');
    expect(await ruleIds("import { z } from 'zod';\nexport const x = z;\n", 'src/shared/x.ts')).toEqual([]);
  });

  it('lets only src/main/electron import electron', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/main/engine/x.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/main/electron/x.ts')).toEqual([]);
  });

  it('keeps the renderer off Node and main', async () => {
    expect(await ruleIds("import { join } from 'node:path';\nexport const x = join;\n", 'src/renderer/x.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { RlmService } from '../main/service/rlmService';\nexport const x = RlmService;\n", 'src/renderer/x.ts')).toContain('no-restricted-imports');
  });
});
