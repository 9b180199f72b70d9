// ============================================================================================
// SECURITY-CRITICAL. This script is evaluated INSIDE the sandbox's vm context, before any
// model-written code. It builds the sandbox contract (print, llm_query, FINAL, ...) out of
// in-context functions that talk to the host through one host function, `hostCall`, kept in a
// closure that model code cannot reach.
//
// Rules this file keeps (see ../../../../../shared/research/sandbox.md §1):
// - Only primitives go to `hostCall` and only primitives come back. Nothing of the host realm
//   (function, error, promise, object) is ever stored where model code could reach it.
// - Every error thrown at model code is created here, in the context's realm. A host error
//   (for example a stack overflow raised on entry to `hostCall`) is caught and replaced.
// - Built-ins used after set-up are captured first: model code may replace globals and
//   prototype methods, which then only breaks its own run.
// - Error.prepareStackTrace is ours, frozen, and formats strings only; `Error` cannot be
//   swapped (the host's stack formatter would otherwise hand CallSites to model code).
// - No timers, no FinalizationRegistry, no SharedArrayBuffer/Atomics, no WebAssembly.
// ============================================================================================
'use strict';
(function () {
  return function setup(hostCall) {
    const g = globalThis;
    const ObjectCtor = Object;
    const { defineProperty, getOwnPropertyNames, getPrototypeOf, freeze, create } = ObjectCtor;
    const hasOwn = ObjectCtor.prototype.hasOwnProperty;
    const apply = Reflect.apply;
    const ErrorCtor = Error;
    const TypeErrorCtor = TypeError;
    const PromiseCtor = Promise;
    const promiseThen = Promise.prototype.then;
    const StringCtor = String;
    const isArray = Array.isArray;
    const jsonStringify = JSON.stringify;
    const jsonParse = JSON.parse;
    const arrayJoin = Array.prototype.join;
    const arrayPush = Array.prototype.push;
    const stringSlice = String.prototype.slice;
    const stringIndexOf = String.prototype.indexOf;
    const stringReplace = String.prototype.replace;
    const DateCtor = Date;
    const dateToString = Date.prototype.toString;
    const construct = Reflect.construct;
    const getOwnPropertyDescriptor = ObjectCtor.getOwnPropertyDescriptor;
    const mapEntries = Map.prototype.entries;
    const setValues = Set.prototype.values;
    const mapSize = ObjectCtor.getOwnPropertyDescriptor(Map.prototype, 'size').get;
    const setSize = ObjectCtor.getOwnPropertyDescriptor(Set.prototype, 'size').get;
    const iterNext = getPrototypeOf(new Map().entries()).next;
    const setIterNext = getPrototypeOf(new Set().values()).next;
    const regexpSource = ObjectCtor.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
    const regexpFlags = ObjectCtor.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
    const isRegExp = (v) => {
      try { apply(regexpSource, v, []); return true; } catch { return false; }
    };
    const isMap = (v) => { try { apply(mapSize, v, []); return true; } catch { return false; } };
    const isSet = (v) => { try { apply(setSize, v, []); return true; } catch { return false; } };

    // The only door to the host. Never lets a host error through.
    function host(op, a, b) {
      let result;
      try {
        result = hostCall(op, a, b);
      } catch {
        throw new ErrorCtor('the sandbox host refused the call (' + op + ')');
      }
      return result;
    }

    // --- stack traces: ours, frozen, strings only --------------------------------------------
    // SECURITY: nothing in the stack formatter may run model code. A getter or toString on the
    // error's name or message would run while V8 is formatting this stack, and a stack read
    // there is formatted by V8's own fallback, not by us: every frame, host paths included
    // (escape corpus: "a stack read while the sandbox formats another stack"). So the head is
    // read from plain string data properties of the error itself, and its type from the
    // built-in prototypes captured at set-up; nothing else is looked at.
    const builtinErrorNames = new Map();
    for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]) {
      builtinErrorNames.set(C.prototype, C.prototype.name);
    }
    const mapGet = Map.prototype.get;
    function ownString(object, key) {
      const d = getOwnPropertyDescriptor(object, key);
      // Own `value` only: model code may have put a getter named `value` on Object.prototype.
      return d !== undefined && apply(hasOwn, d, ['value']) && typeof d.value === 'string' ? d.value : undefined;
    }
    function stackHead(error) {
      if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return 'Error';
      const name = ownString(error, 'name') ?? apply(mapGet, builtinErrorNames, [getPrototypeOf(error)]) ?? 'Error';
      const message = ownString(error, 'message') ?? '';
      return message ? name + ': ' + message : name;
    }
    function prepareStackTrace(error, frames) {
      let head;
      try {
        head = stackHead(error);
      } catch {
        head = 'Error';
      }
      const lines = [head];
      try {
        const n = frames.length;
        for (let i = 0; i < n && i < 12; i++) {
          const f = frames[i];
          const file = f.getFileName();
          if (typeof file !== 'string' || apply(stringIndexOf, file, ['cell-']) !== 0) continue;
          const fn = f.getFunctionName();
          const where = file + ':' + f.getLineNumber() + ':' + f.getColumnNumber();
          apply(arrayPush, lines, ['    at ' + (typeof fn === 'string' && fn ? fn + ' (' + where + ')' : where)]);
        }
      } catch {
        // a frame that cannot be described is left out
      }
      return apply(arrayJoin, lines, ['\n']);
    }
    defineProperty(ErrorCtor, 'prepareStackTrace', {
      value: prepareStackTrace, writable: false, configurable: false, enumerable: false,
    });
    defineProperty(g, 'Error', { value: ErrorCtor, writable: false, configurable: false, enumerable: false });

    // --- remove what runs outside the cell timeout or shares memory ---------------------------
    for (const name of ['FinalizationRegistry', 'WeakRef', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'eval']) {
      try { delete g[name]; } catch { /* not configurable: left, and blocked by the context options */ }
    }

    // --- value formatting (print, last expression, FINAL of non-strings) -----------------------
    const MAX_ITEMS = 100;
    const MAX_DEPTH = 3;
    const MAX_INNER_STRING = 2000;

    function describeError(e) {
      if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return 'Uncaught ' + safeString(e);
      let name = 'Error';
      let message = '';
      try { name = safeString(e.name); } catch { /* keep default */ }
      try { message = safeString(e.message); } catch { /* keep default */ }
      return message ? name + ': ' + message : name;
    }

    function safeString(v) {
      try {
        if (typeof v === 'string') return v;
        if (typeof v === 'symbol') return 'Symbol()';
        return StringCtor(v);
      } catch {
        return '[unprintable]';
      }
    }

    function quote(s) {
      if (s.length > MAX_INNER_STRING) {
        return jsonStringify(apply(stringSlice, s, [0, MAX_INNER_STRING])) + '…(+' + (s.length - MAX_INNER_STRING) + ' chars)';
      }
      return jsonStringify(s);
    }

    function formatKey(k) {
      return /^[A-Za-z_$][\w$]*$/.test(k) ? k : jsonStringify(k);
    }

    function format(v, depth, seen, top) {
      switch (typeof v) {
        case 'string': return top ? v : quote(v);
        case 'number': case 'boolean': case 'undefined': return StringCtor(v);
        case 'bigint': return StringCtor(v) + 'n';
        case 'symbol': return 'Symbol()';
        case 'function': {
          let name = '';
          try { name = typeof v.name === 'string' ? v.name : ''; } catch { /* anonymous */ }
          return name ? '[Function ' + name + ']' : '[Function (anonymous)]';
        }
        default: break;
      }
      if (v === null) return 'null';
      if (seen.indexOf(v) !== -1) return '[Circular]';
      if (v instanceof ErrorCtor) return describeError(v);
      if (isRegExp(v)) return '/' + apply(regexpSource, v, []) + '/' + apply(regexpFlags, v, []);
      if (v instanceof DateCtor) {
        try { return v.toISOString(); } catch { return 'Invalid Date'; }
      }
      if (depth > MAX_DEPTH) return isArray(v) ? '[Array]' : '[Object]';
      seen.push(v);
      try {
        if (isArray(v)) {
          const n = v.length;
          const parts = [];
          for (let i = 0; i < n && i < MAX_ITEMS; i++) parts.push(format(v[i], depth + 1, seen, false));
          if (n > MAX_ITEMS) parts.push('... ' + (n - MAX_ITEMS) + ' more items');
          return '[' + apply(arrayJoin, parts, [', ']) + ']';
        }
        if (isMap(v)) {
          const parts = [];
          const it = apply(mapEntries, v, []);
          for (let i = 0; i < MAX_ITEMS; i++) {
            const step = apply(iterNext, it, []);
            if (step.done) break;
            parts.push(format(step.value[0], depth + 1, seen, false) + ' => ' + format(step.value[1], depth + 1, seen, false));
          }
          return 'Map(' + apply(mapSize, v, []) + ') {' + apply(arrayJoin, parts, [', ']) + '}';
        }
        if (isSet(v)) {
          const parts = [];
          const it = apply(setValues, v, []);
          for (let i = 0; i < MAX_ITEMS; i++) {
            const step = apply(setIterNext, it, []);
            if (step.done) break;
            parts.push(format(step.value, depth + 1, seen, false));
          }
          return 'Set(' + apply(setSize, v, []) + ') {' + apply(arrayJoin, parts, [', ']) + '}';
        }
        const keys = ObjectCtor.keys(v);
        const parts = [];
        for (let i = 0; i < keys.length && i < MAX_ITEMS; i++) {
          parts.push(formatKey(keys[i]) + ': ' + format(v[keys[i]], depth + 1, seen, false));
        }
        if (keys.length > MAX_ITEMS) parts.push('... ' + (keys.length - MAX_ITEMS) + ' more keys');
        return parts.length ? '{ ' + apply(arrayJoin, parts, [', ']) + ' }' : '{}';
      } finally {
        seen.pop();
      }
    }

    function formatValue(v) {
      try {
        return format(v, 0, [], true);
      } catch (e) {
        return '[unprintable: ' + describeError(e) + ']';
      }
    }

    function print(...values) {
      const parts = [];
      for (let i = 0; i < values.length; i++) apply(arrayPush, parts, [formatValue(values[i])]);
      host('print', apply(arrayJoin, parts, [' ']) + '\n');
    }

    const consoleObject = create(null);
    consoleObject.log = print;
    consoleObject.info = print;
    consoleObject.debug = print;
    consoleObject.warn = print;
    consoleObject.error = print;
    freeze(consoleObject);

    // --- calls to the host: in-context promises, settled by the pump --------------------------
    const pending = create(null);

    function request(kind, payload) {
      const id = host('call', kind, payload);
      if (typeof id !== 'number' || id < 0) {
        return PromiseCtor.reject(new ErrorCtor(typeof id === 'string' ? id : 'the call was refused'));
      }
      return new PromiseCtor((resolve, reject) => {
        pending[id] = { resolve, reject };
      });
    }

    // Called by the host (through a compiled script, under the cell timeout) after results
    // arrived: takes them one at a time as primitives and settles the waiting promises.
    function pump() {
      for (;;) {
        const id = host('nextId');
        if (typeof id !== 'number' || id < 0) return;
        const ok = host('nextOk') === true;
        const value = host('nextValue');
        const entry = pending[id];
        if (entry === undefined) continue;
        delete pending[id];
        if (ok) entry.resolve(typeof value === 'string' ? value : '');
        else entry.reject(new ErrorCtor(typeof value === 'string' ? value : 'call failed'));
      }
    }

    function toText(v) {
      return typeof v === 'string' ? v : formatValue(v);
    }

    function modelOption(options) {
      if (options === undefined || options === null) return undefined;
      if (typeof options === 'string') return options;
      const m = options.model;
      return typeof m === 'string' ? m : undefined;
    }

    async function llm_query(prompt, options) {
      const payload = jsonStringify({ prompt: toText(prompt), model: modelOption(options) });
      return request('llm', payload);
    }

    async function llm_query_batched(prompts, options) {
      if (!isArray(prompts)) throw new TypeErrorCtor('llm_query_batched expects an array of prompts');
      const texts = [];
      for (let i = 0; i < prompts.length; i++) apply(arrayPush, texts, [toText(prompts[i])]);
      const payload = jsonStringify({ prompts: texts, model: modelOption(options) });
      const json = await request('llm_batched', payload);
      return jsonParse(json);
    }

    async function rlm_query(query, subContext) {
      let context;
      if (subContext === undefined) context = undefined;
      else if (typeof subContext === 'string') context = subContext;
      else if (isArray(subContext)) {
        context = [];
        for (let i = 0; i < subContext.length; i++) apply(arrayPush, context, [toText(subContext[i])]);
      } else context = toText(subContext);
      return request('rlm', jsonStringify({ query: toText(query), context }));
    }

    function answerText(v) {
      if (typeof v === 'string') return v;
      try {
        const json = jsonStringify(v, null, 2);
        if (typeof json === 'string') return json;
      } catch { /* fall through to the formatter */ }
      return formatValue(v);
    }

    function FINAL(answer) {
      host('final', answerText(answer));
    }

    function FINAL_VAR(name) {
      if (typeof name !== 'string') {
        host('final', answerText(name));
        return;
      }
      const key = apply(stringReplace, name, [/^\s*['"`]?|['"`]?\s*$/g, '']);
      if (!apply(hasOwn, g, [key]) || baseline[key] === true) {
        throw new ErrorCtor('FINAL_VAR: there is no variable named "' + key + '". ' + SHOW_VARS());
      }
      host('final', answerText(g[key]));
    }

    function describeVar(v) {
      if (typeof v === 'string') return 'string, ' + v.length + ' chars';
      if (isArray(v)) return 'array, ' + v.length + ' items';
      if (v === null) return 'null';
      if (typeof v === 'object') {
        try { return 'object, ' + ObjectCtor.keys(v).length + ' keys'; } catch { return 'object'; }
      }
      return typeof v;
    }

    function SHOW_VARS() {
      const names = getOwnPropertyNames(g);
      const lines = [];
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (baseline[name] === true) continue;
        let d;
        try { d = describeVar(g[name]); } catch { d = 'unreadable'; }
        apply(arrayPush, lines, [name + ': ' + d]);
      }
      return lines.length ? 'Variables: ' + apply(arrayJoin, lines, ['; ']) : 'No variables yet.';
    }

    // --- cells --------------------------------------------------------------------------------
    // A cell script calls runCell(async () => { ...body... }). Its completion is reported to
    // the host as strings once the body settles (inside a timed pump or the cell script itself).
    function runCell(cellId, body) {
      let promise;
      try {
        promise = body();
      } catch (e) {
        host('settled', cellId, '!' + errorText(e));
        return;
      }
      apply(promiseThen, promise, [
        (value) => host('settled', cellId, value === undefined ? '' : '=' + formatValue(value)),
        (e) => host('settled', cellId, '!' + errorText(e)),
      ]);
    }

    function errorText(e) {
      if (e instanceof ErrorCtor) {
        let stack;
        try { stack = e.stack; } catch { stack = undefined; }
        return typeof stack === 'string' && stack ? stack : describeError(e);
      }
      return describeError(e);
    }

    // --- time and randomness: every source asks the host, which records and replays it ------
    // SECURITY and DETERMINISM (DESIGN §3, §11). A restarted sandbox re-runs the recorded cells
    // to restore their variables; any value read from the real clock or an unrecorded generator
    // would come out different (issue 9). So every source of time and randomness in this realm
    // goes through `host('now')` / `host('random')`, which take and return primitives only:
    // - Math.random: the host draws it from (seed, restart epoch, draw count) and records where
    //   each cell started, so a replay draws the same values and nothing is handed out twice.
    // - Date: the real constructor (%Date%) must be unreachable, or `Object.getPrototypeOf(Date)`
    //   and `Date.prototype.constructor` read the real clock. SandboxDate is a plain function
    //   (its [[Prototype]] is Function.prototype, not %Date%) that shares %Date%.prototype, and
    //   that prototype's `constructor` now points to it, fixed. %Date%.now is replaced too, in
    //   case another path to %Date% is ever found.
    // - Intl.DateTimeFormat's format() and formatToParts() read the clock when given no date.
    function random() {
      const r = host('random');
      return typeof r === 'number' ? r : 0;
    }
    function now() {
      const t = host('now');
      return typeof t === 'number' ? t : 0;
    }
    defineProperty(Math, 'random', { value: random, writable: false, configurable: false });
    const SandboxDate = function Date(...args) {
      // Called without `new`, Date() returns the current time as a string.
      if (new.target === undefined) return apply(dateToString, construct(DateCtor, [now()]), []);
      return construct(DateCtor, args.length === 0 ? [now()] : args, new.target);
    };
    defineProperty(SandboxDate, 'prototype', { value: DateCtor.prototype, writable: false, enumerable: false, configurable: false });
    defineProperty(SandboxDate, 'length', { value: 7, writable: false, enumerable: false, configurable: true });
    const dateNow = { now() { return now(); } }.now;
    for (const [name, value] of [['now', dateNow], ['parse', DateCtor.parse], ['UTC', DateCtor.UTC]]) {
      defineProperty(SandboxDate, name, { value, writable: true, enumerable: false, configurable: true });
    }
    defineProperty(DateCtor.prototype, 'constructor', { value: SandboxDate, writable: false, enumerable: false, configurable: false });
    defineProperty(DateCtor, 'now', { value: dateNow, writable: false, enumerable: false, configurable: false });
    defineProperty(g, 'Date', { value: SandboxDate, writable: true, configurable: true, enumerable: false });
    const DateTimeFormat = g.Intl && g.Intl.DateTimeFormat;
    if (typeof DateTimeFormat === 'function') {
      const dtfProto = DateTimeFormat.prototype;
      const formatGetter = getOwnPropertyDescriptor(dtfProto, 'format').get;
      const realFormatToParts = dtfProto.formatToParts;
      defineProperty(dtfProto, 'format', {
        get() {
          const bound = apply(formatGetter, this, []);
          return function format(date) { return bound(date === undefined ? now() : date); };
        },
        enumerable: false,
        configurable: false,
      });
      defineProperty(dtfProto, 'formatToParts', {
        value: function formatToParts(date) { return apply(realFormatToParts, this, [date === undefined ? now() : date]); },
        writable: false,
        enumerable: false,
        configurable: false,
      });
    }

    // --- the contract, as globals model code cannot replace -----------------------------------
    const fixed = {
      print, console: consoleObject, llm_query, llm_query_batched, rlm_query, FINAL, FINAL_VAR, SHOW_VARS,
      __rlm_cell: runCell, __rlm_pump: pump,
      __rlm_set: (name, value) => { g[name] = value; },
      __rlm_import: (specifier) => PromiseCtor.reject(new ErrorCtor('import() is not available in the sandbox: ' + safeString(specifier))),
    };
    for (const name of ObjectCtor.keys(fixed)) {
      defineProperty(g, name, { value: fixed[name], writable: false, configurable: false, enumerable: false });
    }

    // Everything defined so far is the sandbox's, not the user's (SHOW_VARS, FINAL_VAR).
    const baseline = create(null);
    const names = getOwnPropertyNames(g);
    for (let i = 0; i < names.length; i++) baseline[names[i]] = true;
    baseline.context = true;
    baseline.context_names = true;

    // --- context: installed from host strings (shared, not copied), as a string or an array --
    function installContext() {
      const count = host('contextCount');
      if (typeof count !== 'number' || count < 0) {
        g.context = '';
        return;
      }
      if (host('contextIsArray') !== true) {
        const only = host('contextPart', 0);
        g.context = typeof only === 'string' ? only : '';
        return;
      }
      const parts = [];
      const names = [];
      for (let i = 0; i < count; i++) {
        const part = host('contextPart', i);
        const name = host('contextName', i);
        apply(arrayPush, parts, [typeof part === 'string' ? part : '']);
        apply(arrayPush, names, [typeof name === 'string' ? name : 'item ' + i]);
      }
      g.context = parts;
      g.context_names = names;
    }
    return installContext;
  };
})();
