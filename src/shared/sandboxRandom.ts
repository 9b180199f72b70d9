// The sandbox's Math.random, as a pure function of where a value is drawn (DESIGN §3, §11): the
// sandbox process draws from it, and a reader of a recording derives the values a cell received
// from the cell's recorded start and count without running anything. Dependency-free: the
// sandbox process imports it.
import type { RandomPosition } from './sandboxProtocol';

/**
 * mulberry32, written as a function of the draw's position: the k-th draw of a stream uses the
 * state base + k * 0x6d2b79f5, which is what the stateful generator did (epoch 0 gives the same
 * values as before, so a seed reproduces runs recorded earlier). Each epoch (process start) has
 * its own base, mixed from the seed, so a restart does not hand out values again.
 * `draws` counts the values drawn before this one: the first value of a stream has draws = 0.
 */
export function randomAt(seed: number, position: RandomPosition): number {
  const normalized = seed >>> 0 || 1;
  const base = position.epoch === 0 ? normalized : epochBase(normalized, position.epoch);
  let t = (base + Math.imul(position.draws + 1, 0x6d2b79f5)) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The `count` values a cell drew from `start`: what its code received from Math.random, in order. */
export function randomValues(seed: number, start: RandomPosition, count: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(randomAt(seed, { epoch: start.epoch, draws: start.draws + i }));
  return values;
}

function epochBase(seed: number, epoch: number): number {
  let h = Math.imul(seed ^ Math.imul(epoch, 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
