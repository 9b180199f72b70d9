import { describe, expect, it } from 'vitest';
import { childRefusal, SandboxMemory, sandboxMemoryMb, size } from './sandboxMemory';

describe('the sandbox memory of a run', () => {
  it('holds what fits, refuses what does not, and frees what is released', () => {
    const memory = new SandboxMemory(1000);
    const a = memory.reserve(600);
    const b = memory.reserve(400);
    expect(a.ok && b.ok).toBe(true);
    expect(memory.held).toBe(1000);
    expect(memory.reserve(1)).toEqual({ ok: false, heldMb: 1000, totalMb: 1000 });
    if (!a.ok) throw new Error('unreachable');
    a.release();
    expect(memory.held).toBe(400);
    expect(memory.reserve(601).ok).toBe(false);
    expect(memory.reserve(600).ok).toBe(true);
    expect(memory.held).toBe(1000);
  });

  it('releases a grant once however often it is released, and never goes below zero', () => {
    const memory = new SandboxMemory(512);
    const a = memory.reserve(256);
    const b = memory.reserve(256);
    if (!a.ok || !b.ok) throw new Error('both fit');
    a.release();
    a.release();
    a.release();
    expect(memory.held).toBe(256);
    b.release();
    b.release();
    expect(memory.held).toBe(0);
    // The refused reservation changed nothing: there is nothing to release.
    expect(memory.reserve(513).ok).toBe(false);
    expect(memory.held).toBe(0);
  });

  it('refuses a budget or a reservation that is not a positive size', () => {
    expect(() => new SandboxMemory(0)).toThrow('invalid sandbox memory budget');
    expect(() => new SandboxMemory(Number.NaN)).toThrow('invalid sandbox memory budget');
    const memory = new SandboxMemory(100);
    expect(() => memory.reserve(0)).toThrow('invalid sandbox memory');
    expect(() => memory.reserve(-5)).toThrow('invalid sandbox memory');
    expect(memory.held).toBe(0);
  });

  it("sizes one sandbox as the limit set, or 3× its context, at least 2 GB", () => {
    expect(sandboxMemoryMb(256, 10 * 1024 * 1024 * 1024)).toBe(256);
    expect(sandboxMemoryMb(null, 0)).toBe(2048);
    expect(sandboxMemoryMb(null, 1024 * 1024 * 1024)).toBe(3072);
  });

  it('tells the model what holds the memory and what to do', () => {
    expect(childRefusal(2048, { heldMb: 14 * 1024, totalMb: 16 * 1024 }, 2048)).toBe(
      "rlm_query refused: the run's sandboxes already hold 14 GB of its 16 GB of sandbox memory (8 sandboxes of 2 GB) and a child RLM needs 2 GB; await the child RLMs already started before starting more, or use llm_query",
    );
    expect(size(256)).toBe('256 MB');
    expect(size(1536)).toBe('1.5 GB');
    expect(size(1792)).toBe('1.75 GB');
    expect(size(30_720)).toBe('30 GB');
  });
});
