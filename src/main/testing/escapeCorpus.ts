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
  /** A leak the probe still finds (not an escape), described: its test is expected to fail until fixed. */
  knownLeak?: string;
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
// Captured before any probe replaces a built-in: the detectors below must keep working then.
const __apply = Reflect.apply, __split = String.prototype.split, __indexOf = String.prototype.indexOf, __trim = String.prototype.trim;
const __reflect = Object.create(null);
for (const name of Object.getOwnPropertyNames(Reflect)) __reflect[name] = Reflect[name];
// A stack read where model code runs must be a string made of this cell's frames only: a frame
// of any other file (the harness, node:internal, the test) means host code is running it.
function hostFrames(label) {
  let s;
  try { s = new Error('probe').stack } catch (e) { report(label + ' (stack error)', e); return }
  if (s === undefined) return; // no stack captured (Error.stackTraceLimit is not a number)
  if (typeof s !== 'string') { print('LEAK non-string stack ' + label); return }
  const lines = __apply(__split, s, ['\\n']);
  for (let i = 1; i < lines.length; i++) if (__apply(__indexOf, lines[i], ['cell-']) === -1) { print('LEAK host frame ' + label + ': ' + __apply(__trim, lines[i], [])); return }
}
// A sloppy function that, whenever something calls it, checks who: its caller (a sloppy host
// function would show up here), \`this\`, its arguments, and the frames above it.
let spyDepth = 0;
function spyFn(label, result) {
  const f = function () {
    if (spyDepth === 0) {
      spyDepth++;
      try {
        globalThis.spyHits = (globalThis.spyHits || 0) + 1;
        let c = null; try { c = f.caller } catch {}
        if (c) viaConstructor(label + ' caller', c);
        report(label + ' this', this);
        for (let i = 0; i < arguments.length; i++) report(label + ' arg', arguments[i]);
        hostFrames(label);
      } finally { spyDepth-- }
    }
    return typeof result === 'function' ? __apply(result, this, arguments) : result;
  };
  return f;
}
// Every hook host code could run on a value: conversions, toJSON, inspect, iteration, getters.
function spyObject(label, prim) {
  if (prim === undefined) prim = 'p';
  const o = {};
  for (const k of ['toString', 'valueOf', 'toJSON', Symbol.toPrimitive, Symbol.for('nodejs.util.inspect.custom')]) o[k] = spyFn(label + ' ' + String(k), prim);
  o[Symbol.iterator] = spyFn(label + ' iterator', function* () { yield prim });
  for (const k of ['x', 'model', 'length', 'name', 'message', 'stack', 'constructor', 'then', 'prompt', 'query', '0']) {
    Object.defineProperty(o, k, { get: spyFn(label + ' get ' + k, k === 'then' || k === 'constructor' || k === 'length' ? undefined : prim), enumerable: true, configurable: true });
  }
  return o;
}
// A Proxy whose every trap is a spy (and then does what Reflect does).
function spyProxy(label, target) {
  const handler = {};
  for (const trap of ['get', 'set', 'has', 'deleteProperty', 'ownKeys', 'getOwnPropertyDescriptor', 'defineProperty', 'getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions', 'apply', 'construct']) {
    const real = __reflect[trap];
    handler[trap] = spyFn(label + ' trap ' + trap, function () { return __apply(real, undefined, arguments) });
  }
  return new Proxy(target, handler);
}
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

// The red-team pass of issue 9 (34 probes, all held), written back as a corpus. Each probe hands
// a contract function a value, or changes a built-in first, so that host code that touched the
// value (read a getter, ran a trap, called toJSON or toString, iterated, awaited, stringified)
// would run model code: the spies (spyFn, spyObject, spyProxy) then see a host caller, a host
// `this` or argument, or host frames in a stack. The looping variants prove the same thing by
// time: whatever reads a contract value reads it inside the cell, under its timeout, so the cell
// times out and the process is not killed.
const RED_TEAM_PROBES: EscapeProbe[] = [
  // 14. Getters, proxies and conversions on every value the host receives.
  {
    category: 'contract values',
    label: "print's and console.log's arguments",
    code: `
const o = spyObject('print arg');
print(o); console.log(o, [o], { nested: o }); console.error(o);
print(spyProxy('print proxy', { a: 1, b: [1, 2] }), spyProxy('print proxy array', [o, 2]), spyProxy('print proxy fn', function named() {}));
const revocable = Proxy.revocable({}, {}); revocable.revoke(); print(revocable.proxy);
print(Object.create(null), Object.create(spyProxy('print proto', {})));
const arr = [1, 2]; Object.defineProperty(arr, 1, { get: spyFn('print index getter', 'i'), enumerable: true }); print(arr);
viaConstructor('print result', print(o));`,
  },
  {
    category: 'contract values',
    label: "llm_query's prompt as a getter object, a proxy and a boxed string",
    code: `
viaConstructor('llm prompt object', await settle(llm_query(spyObject('llm prompt'))));
viaConstructor('llm prompt proxy', await settle(llm_query(spyProxy('llm prompt proxy', { text: 'x' }))));
viaConstructor('llm prompt boxed', await settle(llm_query(Object.assign(new String('boxed'), { toString: spyFn('boxed toString', 'b'), valueOf: spyFn('boxed valueOf', 'b') }))));
viaConstructor('llm prompt function', await settle(llm_query(Object.assign(function f() {}, { toString: spyFn('fn toString', 'f') }))));
viaConstructor('llm prompt symbol', await settle(llm_query(Symbol('s'))));
viaConstructor('llm prompt bigint', await settle(llm_query(10n ** 30n)));`,
  },
  {
    category: 'contract values',
    label: "llm_query's options: {model} as a getter, a proxy, a conversion",
    code: `
viaConstructor('model getter', await settle(llm_query('x', { get model() { return spyFn('model getter')() || 'm' } })));
viaConstructor('options proxy', await settle(llm_query('x', spyProxy('options proxy', { model: 'm' }))));
viaConstructor('options hooks', await settle(llm_query('x', spyObject('options'))));
viaConstructor('model object', await settle(llm_query('x', { model: spyObject('model value') })));
viaConstructor('options function', await settle(llm_query('x', Object.assign(function () {}, { model: 'm' }))));
viaConstructor('options boxed', await settle(llm_query('x', new String('m'))));
viaConstructor('model too long', await settle(llm_query('x', { model: 'm'.repeat(10000) })));`,
  },
  {
    category: 'contract values',
    label: "llm_query_batched's array as a proxy, with getters, and a subclass",
    code: `
viaConstructor('batched proxy', await settle(llm_query_batched(spyProxy('batched proxy', ['a', 'b']))));
const withGetters = ['a', 'b', 'c'];
Object.defineProperty(withGetters, 0, { get: spyFn('batched index 0', 'x') });
Object.defineProperty(withGetters, 'length', { value: 3 });
viaConstructor('batched getters', await settle(llm_query_batched(withGetters)));
class Sneaky extends Array { static get [Symbol.species]() { spyFn('batched species')(); return Array } }
const sneaky = Sneaky.from(['a']); sneaky[Symbol.iterator] = spyFn('batched own iterator', function* () { yield 'z' });
viaConstructor('batched subclass', await settle(llm_query_batched(sneaky)));
viaConstructor('batched items', await settle(llm_query_batched([spyObject('batched item'), spyProxy('batched item proxy', {})])));
viaConstructor('batched options', await settle(llm_query_batched(['a'], spyObject('batched options'))));
viaConstructor('batched array-like', await settle(llm_query_batched({ length: 2, 0: 'a', 1: 'b' })));`,
  },
  {
    category: 'contract values',
    label: "llm_query_batched's array with a huge length is refused or runs out of cell time, never of host time",
    code: `
const sparse = []; sparse.length = 2 ** 32 - 1;
const r = await settle(llm_query_batched(new Proxy(sparse, { get(t, k, rcv) { return k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k, rcv) } })));
viaConstructor('huge length', r);`,
    expectTimeout: true,
  },
  {
    category: 'contract values',
    label: "rlm_query's query and subContext as getters and proxies",
    code: `
viaConstructor('rlm query object', await settle(rlm_query(spyObject('rlm query'))));
viaConstructor('rlm query proxy', await settle(rlm_query(spyProxy('rlm query proxy', { q: 1 }))));
const parts = ['a', 'b']; Object.defineProperty(parts, 1, { get: spyFn('rlm part getter', 'g') });
viaConstructor('rlm parts getters', await settle(rlm_query('q', parts)));
viaConstructor('rlm parts proxy', await settle(rlm_query('q', spyProxy('rlm parts proxy', ['c', spyObject('rlm part')]))));
viaConstructor('rlm context object', await settle(rlm_query('q', spyObject('rlm context'))));
viaConstructor('rlm context boxed', await settle(rlm_query('q', new String('boxed'))));
viaConstructor('rlm context function', await settle(rlm_query('q', function () { return 'ctx' })));`,
  },
  {
    category: 'contract values',
    label: "FINAL's answer as a getter object, a proxy, toJSON, a cycle, a BigInt",
    code: `
FINAL(spyObject('final answer'));
FINAL(spyProxy('final proxy', { a: [1, { b: 2 }] }));
FINAL({ toJSON: spyFn('final toJSON', function () { return { deeper: spyObject('final toJSON result') } }) });
const cyclic = { name: 'c' }; cyclic.self = cyclic; FINAL(cyclic);
FINAL({ big: 10n });
FINAL(Object.create(spyProxy('final proto', {})));
FINAL(Symbol('s')); FINAL(function answer() {});
FINAL('the end');`,
  },
  {
    category: 'contract values',
    label: "FINAL_VAR's name as an object, a proxy, a boxed string, a number",
    code: `
globalThis.answerVar = 'v';
FINAL_VAR(spyObject('final_var name'));
FINAL_VAR(spyProxy('final_var name proxy', { toString() { return 'answerVar' } }));
FINAL_VAR(Object.assign(new String('answerVar'), { toString: spyFn('final_var boxed', 'answerVar') }));
FINAL_VAR(42); FINAL_VAR(null); FINAL_VAR(undefined); FINAL_VAR(Symbol('answerVar'));
FINAL_VAR('  "answerVar"  ');
delete globalThis.answerVar;`,
  },
  {
    category: 'contract values',
    label: 'a looping getter on llm_query options runs out of cell time',
    code: `await settle(llm_query('x', { get model() { for (;;) {} } }))`,
    expectTimeout: true,
  },
  {
    category: 'contract values',
    label: 'a looping proxy trap on llm_query_batched runs out of cell time',
    code: `await settle(llm_query_batched(new Proxy(['a'], { get(t, k) { if (k === '0') for (;;) {} return Reflect.get(t, k) } })))`,
    expectTimeout: true,
  },
  {
    category: 'contract values',
    label: "a looping getter in rlm_query's subContext runs out of cell time",
    code: `const parts = ['a']; Object.defineProperty(parts, 0, { get() { for (;;) {} } }); await settle(rlm_query('q', parts))`,
    expectTimeout: true,
  },
  {
    category: 'contract values',
    label: "a looping toJSON in FINAL_VAR's non-string name runs out of cell time",
    code: `FINAL_VAR({ toJSON() { for (;;) {} } })`,
    expectTimeout: true,
  },
  {
    category: 'contract values',
    label: "a looping error name in print's argument runs out of cell time",
    code: `const e = new Error('m'); Object.defineProperty(e, 'name', { get() { for (;;) {} } }); print(e)`,
    expectTimeout: true,
  },

  // 15. SHOW_VARS and FINAL_VAR.
  {
    category: 'SHOW_VARS and FINAL_VAR',
    label: 'variables named __proto__, constructor, hasOwnProperty, toString',
    code: `
var __proto__ = spyObject('var __proto__');
var constructor = spyObject('var constructor');
var hasOwnProperty = spyFn('var hasOwnProperty', true);
var toString = spyFn('var toString', 'ts');
var valueOf = spyFn('var valueOf', 1);
print(SHOW_VARS());
for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'missing', '__rlm_cell', 'hostCall', 'baseline']) { try { FINAL_VAR(name) } catch (e) { viaConstructor('FINAL_VAR ' + name, e) } }
viaConstructor('global proto', Object.getPrototypeOf(globalThis));
// Global vars cannot be deleted: give them back harmless values.
__proto__ = undefined; constructor = Object; hasOwnProperty = Object.prototype.hasOwnProperty; toString = Object.prototype.toString; valueOf = Object.prototype.valueOf;`,
  },
  {
    category: 'SHOW_VARS and FINAL_VAR',
    label: 'getters on globalThis',
    code: `
Object.defineProperty(globalThis, 'trapVar', { get: spyFn('global getter', 'g'), enumerable: true, configurable: true });
Object.defineProperty(globalThis, 'throwingVar', { get() { throw spyObject('thrown from getter') }, enumerable: true, configurable: true });
Object.defineProperty(globalThis, 'setterOnly', { set: spyFn('global setter'), enumerable: true, configurable: true });
print(SHOW_VARS());
for (const name of ['trapVar', 'throwingVar', 'setterOnly']) { try { FINAL_VAR(name) } catch (e) { viaConstructor('FINAL_VAR ' + name, e) } }
delete globalThis.trapVar; delete globalThis.throwingVar; delete globalThis.setterOnly;`,
  },
  {
    category: 'SHOW_VARS and FINAL_VAR',
    label: "a Proxy as the global's prototype and as variables",
    code: `
const before = Object.getPrototypeOf(globalThis);
try { Object.setPrototypeOf(globalThis, spyProxy('global proto proxy', before)) } catch (e) { viaConstructor('setPrototypeOf global', e) }
globalThis.proxyVar = spyProxy('proxy var', { a: 1 });
globalThis.arrayProxyVar = spyProxy('array proxy var', [1, 2, 3]);
const revocable = Proxy.revocable({}, {}); globalThis.revokedVar = revocable.proxy; revocable.revoke();
print(SHOW_VARS());
for (const name of ['proxyVar', 'arrayProxyVar', 'revokedVar', 'notThere']) { try { FINAL_VAR(name) } catch (e) { viaConstructor('FINAL_VAR ' + name, e) } }
try { Object.setPrototypeOf(globalThis, before) } catch {}
delete globalThis.proxyVar; delete globalThis.arrayProxyVar; delete globalThis.revokedVar;`,
  },
  {
    category: 'SHOW_VARS and FINAL_VAR',
    label: 'FINAL_VAR of a getter, a proxy and non-strings; SHOW_VARS through a changed name',
    code: `
globalThis.lazy = undefined; Object.defineProperty(globalThis, 'lazy', { get: spyFn('lazy getter', function () { return spyObject('lazy value') }), configurable: true, enumerable: true });
FINAL_VAR('lazy'); FINAL_VAR('"lazy"'); FINAL_VAR(' lazy ');
for (const name of [['lazy'], { toString() { return 'lazy' } }, 1n, true]) FINAL_VAR(name);
delete globalThis.lazy;
const show = SHOW_VARS; viaConstructor('SHOW_VARS via alias', show.call(spyObject('SHOW_VARS this'), spyObject('SHOW_VARS arg')));
viaConstructor('FINAL_VAR apply', await settle((async () => Reflect.apply(FINAL_VAR, spyProxy('FINAL_VAR this', {}), ['nope']))()));`,
  },
  {
    category: 'SHOW_VARS and FINAL_VAR',
    label: 'a looping global getter read by SHOW_VARS runs out of cell time',
    code: `Object.defineProperty(globalThis, 'loopVar', { get() { delete globalThis.loopVar; for (;;) {} }, enumerable: true, configurable: true }); SHOW_VARS()`,
    expectTimeout: true,
  },

  // 16. Stack traces: captureStackTrace, prepareStackTrace, sourceURL, stackTraceLimit.
  {
    category: 'stack traces',
    label: 'Error.captureStackTrace on every kind of object',
    code: `
const targets = { plain: {}, array: [], fn: function () {}, proxy: spyProxy('capture proxy', {}), frozen: Object.freeze({}), nullProto: Object.create(null), error: new Error('e'), print, llm_query };
for (const [name, target] of Object.entries(targets)) {
  try { Error.captureStackTrace(target); const s = target.stack; if (typeof s !== 'string') print('LEAK non-string captured stack ' + name); else if (/harness|node:|rlmscope-prelude|\\.js:/.test(s)) print('LEAK host frame in captured stack ' + name); } catch (e) { viaConstructor('capture ' + name, e) }
}
try { Error.captureStackTrace(globalThis); viaConstructor('global stack', globalThis.stack); delete globalThis.stack } catch (e) { viaConstructor('capture global', e) }
const h = {}; Error.captureStackTrace(h, print); viaConstructor('capture with host constructorOpt', h.stack);
const h2 = {}; Error.captureStackTrace(h2, spyFn('constructorOpt')); report('capture with spy constructorOpt', h2.stack);
print(typeof h.stack);`,
  },
  {
    category: 'stack traces',
    label: 'captureStackTrace and new Error().stack inside hooks the contract functions run',
    code: `
const hook = (label) => function () { const holder = {}; Error.captureStackTrace(holder); if (typeof holder.stack !== 'string' || /harness|node:|rlmscope/.test(holder.stack)) print('LEAK frames ' + label); hostFrames(label); return 'h' };
const o = {}; for (const k of ['x', 'model', '0']) Object.defineProperty(o, k, { get: hook('getter ' + k), enumerable: true });
print(o); await settle(llm_query(o, o)); await settle(llm_query_batched([o])); await settle(rlm_query(o, [o])); FINAL(o); FINAL({ toJSON: hook('toJSON') });
try { FINAL_VAR({ toJSON: hook('FINAL_VAR toJSON') }) } catch {}
print('hooks done');`,
  },
  {
    category: 'stack traces',
    label: 'Error.prepareStackTrace: assigned, defined, deleted, on a subclass, on the prototype chain',
    code: `
const grab = spyFn('prepareStackTrace', function (e, sites) { if (typeof sites === 'object') for (const s of sites) { report('site this', s.getThis && s.getThis()); report('site fn', s.getFunction && s.getFunction()) } return sites });
try { Error.prepareStackTrace = grab } catch (e) { viaConstructor('assign', e) }
try { delete Error.prepareStackTrace } catch (e) { viaConstructor('delete', e) }
try { Object.defineProperty(Error, 'prepareStackTrace', { get: grab }) } catch (e) { viaConstructor('define', e) }
class Sub extends Error {} Sub.prepareStackTrace = grab; Object.setPrototypeOf(Error, spyProxy('Error proto', Object.getPrototypeOf(Error)));
Object.prototype.prepareStackTrace = grab; Function.prototype.prepareStackTrace = grab;
for (const make of [() => new Error('a'), () => new Sub('b'), () => new TypeError('c'), () => { try { null.f } catch (e) { return e } }, () => { try { undefinedVar } catch (e) { return e } }]) {
  const e = make(); const s = e.stack; if (typeof s !== 'string') print('LEAK non-string stack'); viaConstructor('stack', s);
}
await settle(llm_query('FAIL'));
delete Object.prototype.prepareStackTrace; delete Function.prototype.prepareStackTrace; Object.setPrototypeOf(Error, Function.prototype);
print(typeof Error.prepareStackTrace);`,
  },
  {
    category: 'stack traces',
    label: 'a //# sourceURL that names a host file, another cell or the prelude',
    code: `
function where() { return new Error('w').stack }
const s = where();
if (typeof s !== 'string') print('LEAK non-string stack');
if (/node:internal|rlmscope-prelude|\\/etc\\/passwd/.test(s)) print('LEAK spoofed host frame shown: ' + s);
hostFrames('sourceURL');
print(s.split('\\n').length);
//# sourceURL=node:internal/process/rlm-harness.js`,
  },
  {
    category: 'stack traces',
    label: 'a //# sourceURL of cell- and a //# sourceMappingURL to a file and a data URL',
    code: `
const e = new Error('mapped'); const s = e.stack;
if (typeof s !== 'string' || /passwd|root:/.test(s)) print('LEAK source map read: ' + s);
hostFrames('sourceMappingURL');
print(typeof s);
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIi9ldGMvcGFzc3dkIl0sIm1hcHBpbmdzIjoiQUFBQSJ9
//# sourceMappingURL=file:///etc/passwd
//# sourceURL=cell-0`,
  },
  {
    category: 'stack traces',
    label: 'Error.stackTraceLimit tampering: huge, zero, negative, NaN, a getter, deleted',
    code: `
const saved = Error.stackTraceLimit;
for (const limit of [Infinity, 1e9, 0, -1, NaN, '5', spyObject('limit')]) {
  try { Error.stackTraceLimit = limit } catch (e) { viaConstructor('set limit', e) }
  function deep(n) { return n === 0 ? new Error('d').stack : deep(n - 1) }
  const s = deep(50); if (s !== undefined && typeof s !== 'string') print('LEAK non-string stack');
  hostFrames('limit ' + String(limit));
  viaConstructor('after limit', await settle(llm_query('FAIL')));
  try { print.call(undefined, spyObject('limit print')) } catch (e) { viaConstructor('print with limit', e) }
}
try { Object.defineProperty(Error, 'stackTraceLimit', { get: spyFn('stackTraceLimit getter', 100), configurable: true }) } catch (e) { viaConstructor('limit getter', e) }
let d = 0; function r() { d++; return r() } try { r() } catch (e) { viaConstructor('overflow with limit getter', e) }
try { print.apply(null, [{}]) } catch (e) { viaConstructor('after getter', e) }
try { delete Error.stackTraceLimit } catch {}
Error.stackTraceLimit = saved;
print(Error.stackTraceLimit === saved);`,
  },

  // 17. Nine (and more) spellings of dynamic import: each rejects with an in-context error.
  {
    category: 'dynamic import',
    label: "import('node:fs') and import('node:child_process')",
    code: `
for (const p of [import('node:fs'), import('node:child_process'), import('node:vm'), import('process')]) { viaConstructor('import node:', p); viaConstructor('import node: rejection', await settle(p)) }
print(String(await settle(import('node:fs'))).slice(0, 60));`,
  },
  {
    category: 'dynamic import',
    label: 'import() of a data: URL',
    code: `
const r = await settle(import("data:text/javascript,export default globalThis.process"));
viaConstructor('import data:', r); report('import data: default', r && r.default);
viaConstructor('import data: json', await settle(import('data:application/json,{"a":1}')));`,
  },
  {
    category: 'dynamic import',
    label: 'import() of file:///etc/passwd and a relative path',
    code: `
for (const spec of ['file:///etc/passwd', '/etc/passwd', '../../package.json', './harness.js']) viaConstructor('import ' + spec, await settle(import(spec)));`,
  },
  {
    category: 'dynamic import',
    label: 'import() with a template literal, a computed string and a toString object',
    code: `
const name = 'fs';
viaConstructor('template', await settle(import(\`\${'node'}:\${name}\`)));
viaConstructor('computed', await settle(import(['child', 'process'].join('_'))));
viaConstructor('fromCharCode', await settle(import(String.fromCharCode(102, 115))));
viaConstructor('toString object', await settle(import({ toString: spyFn('import specifier', 'fs') })));
viaConstructor('symbol', await settle((async () => import(Symbol('fs')))()));`,
  },
  {
    category: 'dynamic import',
    label: 'import() inside a function body, a closure, a generator, a callback run later',
    code: `
function loader(spec) { return import(spec) }
const arrow = (s) => import(s);
async function* gen() { yield await import('fs') }
viaConstructor('in function', await settle(loader('fs')));
viaConstructor('in arrow', await settle(arrow('fs')));
viaConstructor('in generator', await settle(gen().next()));
viaConstructor('in then callback', await settle(Promise.resolve('fs').then((s) => import(s))));
viaConstructor('in getter run by print', await settle(new Promise((resolve) => print({ get x() { resolve(settle(import('fs'))); return 1 } }))));`,
  },
  {
    category: 'dynamic import',
    label: 'import() in a class static block, a field initializer, a default parameter, a computed key',
    code: `
class Holder { static loaded = import('fs'); static { Holder.fromBlock = import('node:fs') } field = import('child_process') }
viaConstructor('static field', await settle(Holder.loaded));
viaConstructor('static block', await settle(Holder.fromBlock));
viaConstructor('instance field', await settle(new Holder().field));
function withDefault(p = import('fs')) { return p }
viaConstructor('default parameter', await settle(withDefault()));
const keyed = { [String(import('fs').catch((e) => { viaConstructor('computed key', e) }))]: 1 };
print(Object.keys(keyed).length);`,
  },
  {
    category: 'dynamic import',
    label: 'import() spelled with comments, line breaks, parentheses and options',
    code: `
viaConstructor('comment', await settle(import /* c */ ('fs')));
viaConstructor('newline', await settle(import
('fs')));
viaConstructor('parenthesised', await settle(import((('fs')))));
viaConstructor('nested', await settle(import(import('fs'))));
viaConstructor('optional call', await settle(import('fs')?.then?.((m) => m)));`,
  },
  {
    category: 'dynamic import',
    label: 'import() with import attributes',
    code: `viaConstructor('attributes', await settle(import('fs', { with: { type: 'json' } })))`,
  },
  {
    category: 'dynamic import',
    label: 'import() in code generated from strings',
    code: `
try { viaConstructor('Function import', Function('return import("fs")')()) } catch (e) { viaConstructor('Function import error', e) }
try { viaConstructor('AsyncFunction import', (async function () {}).constructor('return await import("fs")')()) } catch (e) { viaConstructor('AsyncFunction import error', e) }
try { viaConstructor('indirect eval import', (0, globalThis.eval)('import("fs")')) } catch (e) { viaConstructor('indirect eval import error', e) }`,
  },
  {
    category: 'dynamic import',
    label: 'import.meta is a syntax error, not a host object',
    code: `viaConstructor('import.meta', import.meta)`,
  },
  {
    category: 'dynamic import',
    label: 'import() hidden from the rewriter by HTML-like comments',
    code: `x = 1 <!-- import('fs')
/*
*/ --> import('fs')
viaConstructor('html comment', await settle(import('node:fs')));
print(x);`,
  },

  // 18. Protocol overrides: built-ins changed before each contract call, so that host code that
  //     awaited, iterated or stringified a sandbox value would run model code.
  {
    category: 'protocol overrides',
    label: 'Object.prototype.then and toJSON before every contract function',
    code: `
Object.defineProperty(Object.prototype, 'then', { get: spyFn('Object.prototype.then getter'), configurable: true });
Object.prototype.toJSON = spyFn('Object.prototype.toJSON', function () { return this });
try {
  viaConstructor('llm', await settle(llm_query('a', { model: 'm' })));
  viaConstructor('batched', await settle(llm_query_batched(['a'])));
  viaConstructor('rlm', await settle(rlm_query('q', ['c'])));
  FINAL({ a: 1 }); print({ a: 1 }); print(SHOW_VARS());
  try { FINAL_VAR('nope') } catch (e) { viaConstructor('FINAL_VAR', e) }
} finally { delete Object.prototype.then; delete Object.prototype.toJSON }`,
  },
  {
    category: 'protocol overrides',
    label: 'Object.prototype.toJSON rewrites the call payload: the parent validates it',
    code: `
const payloads = [{ prompt: { evil: true } }, { prompt: 'x'.repeat(10), model: { toString() { return 'm' } } }, { prompts: 'not an array' }, { query: ['x'], context: { a: 1 } }, JSON.parse('{"prompt":"x","prompts":["y"],"query":"z","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'), '{"prompt":"x"}', [], null];
for (const payload of payloads) {
  // Only the payload object itself (key ''); nested values serialize as they are.
  Object.prototype.toJSON = function (key) { return key === '' ? payload : this };
  try {
    viaConstructor('payload llm', await settle(llm_query('a')));
    viaConstructor('payload batched', await settle(llm_query_batched(['a'])));
    viaConstructor('payload rlm', await settle(rlm_query('q', 'c')));
  } finally { delete Object.prototype.toJSON }
}
print(({}).polluted === undefined ? 'not polluted' : 'LEAK polluted');`,
  },
  {
    category: 'protocol overrides',
    label: 'Array.prototype methods and Symbol.iterator before every contract function',
    code: `
const names = ['push', 'join', 'map', 'slice', 'indexOf', 'forEach', 'concat', 'splice'];
const saved = {}; for (const n of names) saved[n] = Array.prototype[n];
const savedIter = Array.prototype[Symbol.iterator];
for (const n of names) Array.prototype[n] = spyFn('Array.prototype.' + n, saved[n]);
Array.prototype[Symbol.iterator] = spyFn('Array iterator', savedIter);
try {
  print([1, 2], { a: [3] }); await settle(llm_query(['x']));
  viaConstructor('batched', await settle(llm_query_batched(['a', 'b'])));
  viaConstructor('rlm', await settle(rlm_query('q', ['c', 'd'])));
  FINAL([1]); print(SHOW_VARS());
} finally { for (const n of names) Array.prototype[n] = saved[n]; Array.prototype[Symbol.iterator] = savedIter }`,
  },
  {
    category: 'protocol overrides',
    label: 'Promise.prototype.then, catch, finally and the species before every call and the cell end',
    code: `
const saved = { then: Promise.prototype.then, catch: Promise.prototype.catch, finally: Promise.prototype.finally };
Promise.prototype.then = spyFn('Promise then', saved.then);
Promise.prototype.catch = spyFn('Promise catch', saved.catch);
Promise.prototype.finally = spyFn('Promise finally', saved.finally);
const savedSpecies = Object.getOwnPropertyDescriptor(Promise, Symbol.species);
Object.defineProperty(Promise, Symbol.species, { get: spyFn('Promise species', function () { return Promise }), configurable: true });
try {
  viaConstructor('llm', await settle(llm_query('a')));
  viaConstructor('batched', await settle(llm_query_batched(['a'])));
  viaConstructor('rlm', await settle(rlm_query('q')));
  viaConstructor('rejected', await settle(llm_query('FAIL')));
} finally { Object.assign(Promise.prototype, saved); Object.defineProperty(Promise, Symbol.species, savedSpecies) }
print('promise overrides done');`,
  },
  {
    category: 'protocol overrides',
    label: 'the cell value is a thenable and a Promise subclass the host would have to await',
    code: `
class Sly extends Promise { then(a, b) { viaConstructor('Sly then a', a); viaConstructor('Sly then b', b); return super.then(a, b) } }
globalThis.slyValue = Sly.resolve(spyObject('sly value'));
const thenable = { then: spyFn('cell value then', function (resolve) { viaConstructor('cell value resolve', resolve); resolve(spyProxy('cell value', {})) }) };
await slyValue;
thenable`,
  },
  {
    category: 'protocol overrides',
    label: 'JSON.stringify, JSON.parse and String.prototype methods replaced before every call',
    code: `
const savedJSON = { stringify: JSON.stringify, parse: JSON.parse };
const sNames = ['slice', 'indexOf', 'replace', 'toString', 'valueOf', 'split', 'trim', 'concat', 'repeat'];
const savedString = {}; for (const n of sNames) savedString[n] = String.prototype[n];
JSON.stringify = spyFn('JSON.stringify', function () { return '{"prompt":"hijacked"}' });
JSON.parse = spyFn('JSON.parse', function () { return spyProxy('parsed', ['x']) });
for (const n of sNames) String.prototype[n] = spyFn('String.prototype.' + n, savedString[n]);
try {
  viaConstructor('llm', await settle(llm_query('x'.repeat(3000))));
  const b = await settle(llm_query_batched(['a'])); viaConstructor('batched', b); print(Array.isArray(b) && b[0] === 'ok' ? 'batched ok' : 'batched changed');
  viaConstructor('rlm', await settle(rlm_query('q', 'c')));
  FINAL({ a: 'x'.repeat(3000) }); print({ s: 'y'.repeat(3000) });
  globalThis.jsonVar = 'v'; FINAL_VAR('"jsonVar"'); delete globalThis.jsonVar;
} finally { Object.assign(JSON, savedJSON); for (const n of sNames) String.prototype[n] = savedString[n] }`,
  },
  {
    category: 'protocol overrides',
    label: 'RegExp, Symbol.replace, instanceof and Object.keys replaced before print and FINAL_VAR',
    code: `
const savedRe = { exec: RegExp.prototype.exec, test: RegExp.prototype.test, replace: RegExp.prototype[Symbol.replace] };
const savedKeys = Object.keys;
RegExp.prototype.exec = spyFn('RegExp exec', savedRe.exec);
RegExp.prototype.test = spyFn('RegExp test', savedRe.test);
RegExp.prototype[Symbol.replace] = spyFn('RegExp Symbol.replace', savedRe.replace);
Object.keys = spyFn('Object.keys', savedKeys);
Object.defineProperty(Error, Symbol.hasInstance, { value: spyFn('Error hasInstance', false), configurable: true });
Object.defineProperty(Object.prototype, 'model', { get: spyFn('Object.prototype.model'), configurable: true });
try {
  print({ 'a-b': 1, c: new Error('e') }, /x/g, new Date(0), new Map([[1, 2]]), new Set([3]));
  globalThis.reVar = 'r'; FINAL_VAR(' reVar '); delete globalThis.reVar;
  print(SHOW_VARS()); await settle(llm_query('x', {})); await settle(llm_query_batched(['a'], {}));
} finally { Object.assign(RegExp.prototype, { exec: savedRe.exec, test: savedRe.test }); RegExp.prototype[Symbol.replace] = savedRe.replace; Object.keys = savedKeys; delete Error[Symbol.hasInstance]; delete Object.prototype.model }`,
  },
  {
    category: 'protocol overrides',
    label: 'Symbol.toPrimitive and toString on the prototypes, thrown errors with object names',
    code: `
const saved = { obj: Object.prototype.toString, num: Number.prototype.toString, sym: Symbol.prototype.toString };
Object.prototype[Symbol.toPrimitive] = spyFn('Object toPrimitive', 'prim');
Object.prototype.toString = spyFn('Object toString', 'str');
Number.prototype.toString = spyFn('Number toString', 'n');
try {
  print(1, {}, [2]); await settle(llm_query({})); FINAL([{}]);
  const e = new Error(spyObject('message')); e.name = spyObject('name'); viaConstructor('error names', await settle((async () => { throw e })()));
  try { FINAL_VAR(spyObject('name object')) } catch (x) { viaConstructor('FINAL_VAR', x) }
} finally { delete Object.prototype[Symbol.toPrimitive]; Object.prototype.toString = saved.obj; Number.prototype.toString = saved.num }
print('conversions done')`,
  },
  {
    category: 'stack traces',
    label: 'a getter named value on Object.prototype does not run inside the stack formatter',
    code: `
Error.stackTraceLimit = Infinity;
let inner;
Object.defineProperty(Object.prototype, 'value', { configurable: true, get() { inner = new Error('inner').stack; return 'v' } });
const e = new Error('outer');
Object.defineProperty(e, 'name', { get() { inner = new Error('inner').stack; return 'N' } });
e.stack;
delete Object.prototype.value;
if (typeof inner === 'string' && /sandbox\\.js|harness|node:/.test(inner)) print('LEAK host frames in a nested stack: ' + inner.split('\\n').slice(1).join(' | '));
Error.stackTraceLimit = 10`,
  },
  {
    category: 'stack traces',
    label: 'a stack read while the sandbox formats another stack shows only cell frames',
    // Found while writing the issue 9 corpus: the prelude's stack formatter read the error's name
    // and message through getters and toString, so model code ran inside it, and a stack read
    // there was formatted by V8's fallback with every host frame. The formatter now reads plain
    // string data properties only.
    code: `
Error.stackTraceLimit = Infinity;
let inner;
const e = new Error('outer'); e.name = { toString() { inner = new Error('inner').stack; return 'N' } };
e.stack;
if (typeof inner === 'string' && /sandbox\\.js|harness|node:/.test(inner)) print('LEAK host frames in a nested stack: ' + inner.split('\\n').slice(1).join(' | '));
Error.stackTraceLimit = 10;
throw Object.assign(new Error('thrown at the end'), { name: spyObject('end name'), message: spyObject('end message') })`,
  },
  {
    category: 'protocol overrides',
    label: 'a looping Promise.prototype.then before an await of llm_query runs out of cell time',
    code: `
const original = Promise.prototype.then;
Promise.prototype.then = function (a, b) { Promise.prototype.then = original; for (;;) {} };
await llm_query('x')`,
    expectTimeout: true,
  },
  {
    category: 'protocol overrides',
    label: 'a looping Object.prototype.toJSON before FINAL runs out of cell time',
    code: `Object.prototype.toJSON = function () { delete Object.prototype.toJSON; for (;;) {} }; FINAL({ a: 1 })`,
    expectTimeout: true,
  },
];
ESCAPE_PROBES.push(...RED_TEAM_PROBES);
