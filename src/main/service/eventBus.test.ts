import { describe, expect, it } from 'vitest';
import type { RlmEvent } from '../../shared/api';
import { emptyTotals } from '../../shared/domain/run';
import { EventBus } from './eventBus';

const runEvent = (runId: string): RlmEvent => ({ type: 'run.totalsChanged', runId, totals: emptyTotals() });
const appEvent: RlmEvent = { type: 'app.runsChanged', runId: null };

describe('EventBus', () => {
  it('delivers a run event to its run and to the subscribers of every run', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('a', (e) => seen.push(`a:${e.type}`));
    bus.subscribe('b', (e) => seen.push(`b:${e.type}`));
    bus.subscribe(null, (e) => seen.push(`all:${e.type}`));
    bus.emit(runEvent('a'));
    expect(seen).toEqual(['a:run.totalsChanged', 'all:run.totalsChanged']);
  });

  it('delivers an app event once, to the subscribers of every run only', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('a', (e) => seen.push(`a:${e.type}`));
    bus.subscribe(null, (e) => seen.push(`all:${e.type}`));
    bus.emit(appEvent);
    expect(seen).toEqual(['all:app.runsChanged']);
  });

  it('keeps delivering when a listener throws, and forgets unsubscribed listeners', () => {
    const bus = new EventBus();
    const seen: RlmEvent[] = [];
    bus.subscribe(null, () => {
      throw new Error('broken subscriber');
    });
    const unsubscribe = bus.subscribe(null, (e) => seen.push(e));
    bus.emit(appEvent);
    unsubscribe();
    bus.emit(appEvent);
    expect(seen).toHaveLength(1);
    expect(bus.size).toBe(1);
  });
});
