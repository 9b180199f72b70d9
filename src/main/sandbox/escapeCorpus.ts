// The corpus of sandbox escape attempts, by category of the checklist in
// shared/research/sandbox.md §1 (after vm2's docs/ATTACKS.md). Each probe is one cell of model
// code. A probe prints `ESCAPED <label>` if it reached the host's `process`, and `LEAK <label>`
// if it got hold of any object of the host realm at all (even one it could not exploit).
// Grow this list whenever a new technique is published.

export interface EscapeProbe {
  category: string;
  label: string;
  code: string;
  /** The probe is meant to run out of cell time (it must be interrupted, not escape). */
  expectTimeout?: boolean;
  /** The probe runs model code outside any cell: the parent's deadline must kill the process. */
  expectKill?: boolean;
}

/** Run once before the probes: helpers every probe uses. */
export const PROBE_HELPERS = `
function isProcess(x) {
  try { return !!x && typeof x === 'object' && (typeof x.pid === 'number' || typeof x.binding === 'function' || typeof x.mainModule !== 'undefined'); } catch { return false; }
}
function foreign(x) {
  try {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return false;
    const ctor = x.constructor;
    if (ctor === undefined || ctor === null) return Object.getPrototypeOf(x) !== null && !(x instanceof Object);
    const F = ctor.constructor;
    return typeof F === 'function' && F !== Function;
  } catch { return false; }
}
function report(label, value) {
  if (isProcess(value)) print('ESCAPED ' + label);
  else if (foreign(value)) print('LEAK ' + label);
}
function viaConstructor(label, x) {
  report(label + ' (value)', x);
  try { report(label + ' (constructor)', x.constructor); } catch {}
  try { report(label + ' (Function)', x.constructor.constructor); } catch {}
  try { report(label, x.constructor.constructor('return process')()); } catch (e) { report(label + ' (error)', e); }
}
async function settle(p) { try { return await p; } catch (e) { return e; } }
`;

const BUILT_INS = [
  'print', 'console.log', 'llm_query', 'llm_query_batched', 'rlm_query', 'FINAL', 'FINAL_VAR', 'SHOW_VARS', 'Math.random', 'Date', 'Date.now',
  // The recorded clock's other doors (issue 9): the real Date's prototype, the Intl formatters.
  'Date.prototype.constructor', 'Date.parse', 'Date.UTC', 'Date()', 'new Date()', 'new (class extends Date {})()',
  'Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, "format").get', 'new Intl.DateTimeFormat().format',
  'Intl.DateTimeFormat.prototype.formatToParts', 'new Intl.DateTimeFormat().formatToParts()',
];

export const ESCAPE_PROBES: EscapeProbe[] = [
  // 1. Constructor chains from the global object, every host-provided function, their return
  //    values, promises and thrown errors.
  { category: 'constructor chains', label: 'this', code: `viaConstructor('this', this)` },
  { category: 'constructor chains', label: 'globalThis', code: `viaConstructor('globalThis', globalThis); viaConstructor('globalThis.__proto__', Object.getPrototypeOf(globalThis))` },
  { category: 'constructor chains', label: 'literal', code: `viaConstructor('{}', {}); viaConstructor('[]', [])` },
  ...BUILT_INS.map((name) => ({
    category: 'constructor chains',
    label: `host function ${name}`,
    code: `viaConstructor(${JSON.stringify(name)}, ${name}); viaConstructor(${JSON.stringify(name + '.__proto__')}, Object.getPrototypeOf(${name}))`,
  })),
  {
    category: 'constructor chains',
    label: 'return values and promises',
    code: `
const p = llm_query('x'); viaConstructor('llm_query promise', p);
viaConstructor('llm_query value', await p);
const pb = llm_query_batched(['a', 'b']); viaConstructor('batched promise', pb);
const vb = await pb; viaConstructor('batched value', vb); viaConstructor('batched item', vb[0]);
const pr = rlm_query('q', 'ctx'); viaConstructor('rlm_query promise', pr); viaConstructor('rlm_query value', await pr);
viaConstructor('SHOW_VARS value', SHOW_VARS()); viaConstructor('Date value', new Date()); viaConstructor('random', Math.random());
viaConstructor('context', context); viaConstructor('print result', print(''));`,
  },
  {
    category: 'constructor chains',
    label: 'thrown errors',
    code: `
viaConstructor('llm_query rejection', await settle(llm_query('FAIL')));
viaConstructor('batched type error', await settle(llm_query_batched('not an array')));
try { FINAL_VAR('missing_variable') } catch (e) { viaConstructor('FINAL_VAR error', e) }
try { null.x } catch (e) { viaConstructor('TypeError', e) }
try { undefinedName } catch (e) { viaConstructor('ReferenceError', e) }`,
  },
  {
    category: 'constructor chains',
    label: 'stack overflow on entry to a host function',
    code: `
let caught = 0;
function deep(n) { try { return deep(n + 1) } catch (e) { try { print.call(null, '') } catch (e2) { caught++; viaConstructor('overflow in print', e2) } try { llm_query('x').catch((e3) => viaConstructor('overflow in llm_query', e3)) } catch (e4) { viaConstructor('overflow sync', e4) } return n } }
deep(0);
print('recursed');`,
  },
  {
    category: 'constructor chains',
    label: 'dynamic import rejection',
    code: `
viaConstructor('import()', await settle(import('fs')));
viaConstructor('import() promise', import('node:child_process'));
const spec = 'f' + 's'; viaConstructor('import(expr)', await settle(import(spec)));`,
  },

  // 2. Prototype pollution of host intrinsics.
  {
    category: 'prototype pollution',
    label: 'Object.prototype and contract prototypes',
    code: `
Object.prototype.polluted = 'yes'; Array.prototype.polluted = 'yes'; Function.prototype.polluted = 'yes';
print.__proto__.polluted2 = 'yes';
try { llm_query.__proto__.__proto__.constructor.prototype.polluted3 = 'yes' } catch {}
const r = await llm_query('after pollution');
viaConstructor('value after pollution', r);
delete Object.prototype.polluted; delete Array.prototype.polluted; delete Function.prototype.polluted;`,
  },

  // 3. Error.prepareStackTrace, CallSites and a swapped Error.
  {
    category: 'prepareStackTrace',
    label: 'replace Error.prepareStackTrace',
    code: `
try { Error.prepareStackTrace = (e, sites) => sites } catch {}
try { Object.defineProperty(Error, 'prepareStackTrace', { value: (e, sites) => sites }) } catch {}
const stack = new Error('x').stack;
print(typeof stack);
if (typeof stack !== 'string') for (const site of stack) { report('callsite this', site.getThis && site.getThis()); report('callsite fn', site.getFunction && site.getFunction()); }`,
  },
  {
    category: 'prepareStackTrace',
    label: 'swap globalThis.Error',
    code: `
const Fake = function () {}; Fake.prepareStackTrace = (e, sites) => { for (const s of sites) { report('swapped callsite this', s.getThis()); report('swapped callsite fn', s.getFunction()); } return sites };
try { globalThis.Error = Fake } catch {}
try { Object.defineProperty(globalThis, 'Error', { value: Fake }) } catch {}
try { null.y } catch (e) { const s = e.stack; if (typeof s !== 'string') print('LEAK non-string stack'); }
await settle(llm_query('FAIL'));
print(Error === Fake ? 'LEAK Error swapped' : 'kept');`,
  },
  {
    category: 'prepareStackTrace',
    label: 'captureStackTrace on host frames',
    code: `
const holder = {}; Error.captureStackTrace(holder); print(typeof holder.stack);
const viaPrint = { toString() { const h = {}; Error.captureStackTrace(h); return typeof h.stack } }; print(viaPrint);`,
  },

  // 4. The error generation primitive: e.name = Symbol().
  {
    category: 'error generation',
    label: 'symbol name, sync and async',
    code: `
const e1 = new Error('x'); e1.name = Symbol('s');
try { e1.stack; String(e1.stack) } catch (err) { viaConstructor('symbol name sync', err) }
async function thrower() { const e = new Error('y'); e.name = Symbol(); throw e }
viaConstructor('symbol name async', await settle(thrower()));
try { const e2 = new TypeError('z'); e2.name = Symbol(); throw e2 } catch (err) { try { err.stack } catch (err2) { viaConstructor('symbol name nested', err2) } }
const e3 = new Error('w'); e3.name = Symbol(); print(e3);`,
  },

  // 5. caller / callee.
  {
    category: 'caller',
    label: 'caller from callbacks host-side code runs',
    code: `
function sloppyGetter() { const c = sloppyGetter.caller; report('getter caller', c); if (c) viaConstructor('getter caller', c); return 'v' }
const trap = {}; Object.defineProperty(trap, 'x', { get: sloppyGetter, enumerable: true });
print(trap); FINAL_VAR; try { await llm_query({ toString: sloppyGetter }) } catch {}
function toStr() { report('toString caller', toStr.caller); return 'p' }
await llm_query({ toString: toStr, [Symbol.toPrimitive]: toStr });
print(SHOW_VARS.caller === null || SHOW_VARS.caller === undefined ? 'no caller' : 'caller');
try { print(print.caller) } catch { print('caller blocked') }
try { print(arguments.callee) } catch { print('no arguments') }`,
  },

  // 6. Proxy traps run by host code.
  {
    category: 'proxy traps',
    label: 'proxies given to every contract function',
    code: `
const handler = {};
let inTrap = false;
for (const trap of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'apply', 'construct', 'set', 'defineProperty']) {
  handler[trap] = function (...args) {
    if (!inTrap) {
      inTrap = true;
      try { for (const a of args) report('trap ' + trap, a); report('trap caller', handler[trap].caller); } finally { inTrap = false; }
    }
    return Reflect[trap](...args);
  };
}
const proxy = new Proxy(function () {}, handler);
const pobj = new Proxy({ a: 1 }, handler);
print(proxy, pobj);
await settle(llm_query(pobj)); await settle(llm_query('x', pobj));
await settle(llm_query_batched(new Proxy(['a', 'b'], handler)));
await settle(rlm_query(pobj, pobj)); await settle(rlm_query('q', new Proxy(['c'], handler)));
try { FINAL_VAR(pobj) } catch {}
print('proxies done');`,
  },
  {
    category: 'proxy traps',
    label: 'a trap that never returns only burns this cell',
    code: `print(new Proxy({}, { ownKeys() { while (true) {} } }))`,
    expectTimeout: true,
  },

  // 7. Promises, thenables, async functions and generators.
  {
    category: 'promises',
    label: 'thenables and polluted then',
    code: `
Object.prototype.then = function (resolve, reject) { delete Object.prototype.then; report('then resolve', resolve); viaConstructor('then resolve', resolve); resolve(1) };
await settle(llm_query('x'));
delete Object.prototype.then;
const thenable = { then(resolve) { viaConstructor('thenable resolve', resolve); resolve('ok') } };
print(await thenable);
const original = Promise.prototype.then;
Promise.prototype.then = function (a, b) { report('patched then this', this); viaConstructor('patched then a', a); return original.call(this, a, b) };
await settle(llm_query('y'));
Promise.prototype.then = original;`,
  },
  {
    category: 'promises',
    label: 'async generators and Array.fromAsync',
    code: `
async function* gen() { yield await llm_query('a'); yield await llm_query('FAIL') }
try { for await (const v of gen()) viaConstructor('async gen value', v) } catch (e) { viaConstructor('async gen error', e) }
if (typeof Array.fromAsync === 'function') viaConstructor('fromAsync', await settle(Array.fromAsync([llm_query('b'), llm_query('FAIL')])));
viaConstructor('allSettled', await Promise.allSettled([llm_query('c'), llm_query('FAIL')]));
viaConstructor('any', await settle(Promise.any([llm_query('FAIL')])));`,
  },

  // 8. Well-known symbols.
  {
    category: 'symbols',
    label: 'species, hasInstance, iterator, toPrimitive',
    code: `
class Evil extends Promise { static get [Symbol.species]() { return function (executor) { executor((v) => report('species resolve', v), (e) => report('species reject', e)); viaConstructor('species executor', executor) } } }
try { Object.defineProperty(Promise, Symbol.species, { get() { return Evil } }) } catch {}
Promise.prototype.constructor = Evil;
await settle(llm_query('species'));
Promise.prototype.constructor = Promise;
const items = ['a']; items[Symbol.iterator] = function* () { report('iterator this', this); yield 'x' };
await settle(llm_query_batched(items));
Object.defineProperty(Function, Symbol.hasInstance, { value: (x) => { report('hasInstance', x); return false } });
await settle(llm_query({ [Symbol.toPrimitive]: (hint) => { report('toPrimitive', hint); return 'p' } }));
print('symbols done');`,
  },

  // 9. Custom inspect.
  {
    category: 'custom inspect',
    label: 'util.inspect.custom everywhere a value could be inspected',
    code: `
globalThis.inspected = 'no';
const evil = { [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) { globalThis.inspected = 'yes'; viaConstructor('inspect fn', inspect); viaConstructor('inspect options', options); return 'x' } };
print(evil); console.log(evil); FINAL_VAR; await settle(llm_query(evil)); await settle(llm_query_batched([evil]));
Promise.reject(evil);
(async () => { throw evil })();
print('inspected:', globalThis.inspected);`,
  },
  {
    category: 'custom inspect',
    label: 'an uncaught inspectable value ends the cell, not the sandbox',
    code: `throw { [Symbol.for('nodejs.util.inspect.custom')]: (d, o, inspect) => inspect.constructor('return process')() }`,
  },

  // 10. Monkey-patched built-ins the sandbox's own code might call.
  {
    category: 'monkey patching',
    label: 'Map, WeakMap, Reflect, JSON, Array, Function.prototype',
    code: `
const saved = { call: Function.prototype.call, apply: Function.prototype.apply, stringify: JSON.stringify, parse: JSON.parse, push: Array.prototype.push, mapGet: Map.prototype.get, wmSet: WeakMap.prototype.set, reflectApply: Reflect.apply };
const spy = (name, fn) => function (...args) { report(name + ' this', this); for (const a of args) report(name + ' arg', a); return fn.apply(this, args) };
Function.prototype.call = spy('call', saved.call);
JSON.stringify = spy('stringify', saved.stringify); JSON.parse = spy('parse', saved.parse);
Array.prototype.push = spy('push', saved.push); Map.prototype.get = spy('mapGet', saved.mapGet); WeakMap.prototype.set = spy('wmSet', saved.wmSet);
Reflect.apply = spy('Reflect.apply', saved.reflectApply);
const out = await llm_query_batched(['a']); print(out.length);
print({ a: 1 }); await settle(llm_query('z')); try { FINAL_VAR('none') } catch {}
Function.prototype.call = saved.call; JSON.stringify = saved.stringify; JSON.parse = saved.parse; Array.prototype.push = saved.push;
Map.prototype.get = saved.mapGet; WeakMap.prototype.set = saved.wmSet; Reflect.apply = saved.reflectApply;`,
  },

  // 11. Module loading, code generation, WebAssembly, shared memory, host globals.
  {
    category: 'host globals',
    label: 'require, process, module loading and globals of Node',
    code: `
for (const name of ['require', 'process', 'module', 'exports', 'Buffer', 'global', '__dirname', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'FinalizationRegistry', 'WeakRef', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'eval']) {
  let t; try { t = typeof globalThis[name] } catch { t = 'error' }
  if (t !== 'undefined') print('present: ' + name);
}
try { report('require', require('fs')) } catch {}
try { report('process', process) } catch {}`,
  },
  {
    category: 'code generation',
    label: 'eval, Function and its cousins',
    code: `
const makers = [Function, (async function () {}).constructor, (function* () {}).constructor, (async function* () {}).constructor];
for (const Maker of makers) { try { report('maker', Maker('return process')()) ; print('CODEGEN ' + Maker.name) } catch (e) { if (!(e instanceof EvalError)) print('unexpected ' + e.name) } }
try { new Function('return 1'); print('CODEGEN new Function') } catch {}
try { const ev = globalThis.eval; if (ev) { ev('1'); print('CODEGEN eval') } } catch {}
try { Reflect.construct(Function, ['return 1']); print('CODEGEN Reflect.construct') } catch {}`,
  },
  {
    category: 'code generation',
    label: 'WebAssembly and shared memory',
    code: `
try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); print('WASM compiled') } catch {}
try { new SharedArrayBuffer(8); print('SAB created') } catch {}
try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); print('ATOMICS') } catch {}`,
  },

  // 12. SuppressedError, AggregateError.
  {
    category: 'aggregate errors',
    label: 'AggregateError and SuppressedError',
    code: `
const agg = await settle(Promise.any([llm_query('FAIL'), Promise.reject(new Error('b'))]));
viaConstructor('AggregateError', agg); for (const e of agg.errors || []) viaConstructor('aggregated', e);
if (typeof SuppressedError === 'function') viaConstructor('SuppressedError', new SuppressedError(new Error('a'), await settle(llm_query('FAIL'))));
print('aggregate done');`,
  },

  // 13. Denial of service: each is contained by the cell timeout or the process watchdogs.
  { category: 'denial of service', label: 'ReDoS', code: `/(a+)+$/.test('a'.repeat(40) + 'b')`, expectTimeout: true },
  { category: 'denial of service', label: 'deep recursion', code: `function r() { return r() } try { r() } catch (e) { viaConstructor('recursion', e); print(e instanceof RangeError) }` },
  { category: 'denial of service', label: 'a string too long', code: `try { 'x'.repeat(2 ** 30) } catch (e) { viaConstructor('repeat', e); print(e.name) }` },
  { category: 'denial of service', label: 'unhandled rejections', code: `for (let i = 0; i < 100; i++) Promise.reject(new Error('r' + i)); print('rejected')` },
  {
    category: 'denial of service',
    label: 'a getter that loops when the answer is read',
    code: `const tricky = {}; Object.defineProperty(tricky, 'x', { get() { while (true) {} }, enumerable: true }); FINAL(tricky)`,
    expectTimeout: true,
  },
  {
    category: 'denial of service',
    label: 'background work after the cell ends cannot call out',
    code: `
globalThis.backgroundCalls = 0;
(async () => { for (let i = 0; i < 5; i++) { try { await llm_query('bg' + i); globalThis.backgroundCalls++ } catch { break } } })();
print('left running')`,
  },
  {
    category: 'denial of service',
    label: "host work outside the cell (Node's rejection tracking) reading a proxied promise",
    code: `const p = Promise.reject(new Error('x')); Object.setPrototypeOf(p, new Proxy(Object.create(null), { get(t, key) { report('tracking key', key); for (;;) {} } }));`,
    expectKill: true,
  },
  {
    category: 'denial of service',
    label: 'the sandbox cannot fake protocol messages',
    code: `
try { process.send({ type: 'cellDone' }) } catch {}
try { globalThis.__rlm_cell = () => print('replaced') } catch {}
try { globalThis.__rlm_pump = () => {} } catch {}
print(typeof __rlm_cell, typeof __rlm_pump)`,
  },
];
