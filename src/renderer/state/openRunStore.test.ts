import { describe, expect, it } from 'vitest';
import { isImportedRun, setOpenRun } from './openRunStore';

describe('the open run', () => {
  it('is imported only while the view has that run open', () => {
    expect(isImportedRun('r-1')).toBe(false);
    const forget = setOpenRun('r-1', true);
    expect(isImportedRun('r-1')).toBe(true);
    expect(isImportedRun('r-2')).toBe(false);
    forget();
    expect(isImportedRun('r-1')).toBe(false);
  });

  it('is not forgotten by the view of a run that was closed after the next one opened', () => {
    const forgetFirst = setOpenRun('r-1', false);
    const forgetSecond = setOpenRun('r-2', true);
    forgetFirst();
    expect(isImportedRun('r-2')).toBe(true);
    forgetSecond();
    expect(isImportedRun('r-2')).toBe(false);
  });
});
