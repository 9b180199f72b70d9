import { describe, expect, it } from 'vitest';
import { titleFor } from './documentTitle';

describe('titleFor', () => {
  it('names each screen', () => {
    expect(titleFor({ view: 'runs' })).toBe('Runs — RLMScope');
    expect(titleFor({ view: 'new' })).toBe('New run — RLMScope');
    expect(titleFor({ view: 'settings' })).toBe('Settings — RLMScope');
  });

  it("names a run by its query once known, shortened to one line", () => {
    expect(titleFor({ view: 'run', runId: 'r-9' })).toBe('Run r-9 — RLMScope');
    expect(titleFor({ view: 'run', runId: 'r-9' }, 'Count\nthe lines')).toBe('Count the lines — RLMScope');
    expect(titleFor({ view: 'run', runId: 'r-9' }, 'x'.repeat(100))).toBe(`${'x'.repeat(59)}… — RLMScope`);
  });
});
