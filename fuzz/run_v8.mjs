// run_v8.mjs — V8's side of the differential fuzzer (fuzz/differential.sh): runs a binaryen
// `wasm-opt -ttf` module in Node and prints the same transcript as fuzz/diff_runner.c:
//   call NAME / log ... / result ... / trap CLASS # reason / exhausted # reason / *-error # msg
// Exported functions are called in export order with zero arguments (their parameter types are
// read from the module's type, import, function and export sections, parsed below), each after
// hangLimitInitializer when the module has it.
//
//   node fuzz/run_v8.mjs MODULE.wasm
import { readFileSync } from 'node:fs';

const bytes = readFileSync(process.argv[2]);

// ---- minimal binary parser: the function type of each exported function
function exportSignatures(buf) {
  let pos = 8;
  const u8 = () => buf[pos++];
  const leb = () => { let r = 0, s = 0, b; do { b = u8(); r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  const name = () => { const n = leb(); const s = buf.subarray(pos, pos + n).toString('utf8'); pos += n; return s; };
  const types = [], funcTypes = [], exports = new Map();
  const limits = () => { const f = u8(); leb(); if (f & 1) leb(); };
  while (pos < buf.length) {
    const id = u8(), size = leb(), end = pos + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        u8(); // 0x60
        const params = []; for (let k = leb(); k > 0; k--) params.push(u8());
        const results = []; for (let k = leb(); k > 0; k--) results.push(u8());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        name(); name();
        const kind = u8();
        if (kind === 0) funcTypes.push(leb());
        else if (kind === 1) { u8(); limits(); }
        else if (kind === 2) limits();
        else { u8(); u8(); }
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcTypes.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const nm = name(), kind = u8(), idx = leb();
        if (kind === 0) exports.set(nm, types[funcTypes[idx]]);
      }
    }
    pos = end;
  }
  return exports;
}

// ---- value formatting, identical to diff_runner.c
const dv = new DataView(new ArrayBuffer(8));
function f32(x) {
  if (Number.isNaN(x)) return 'f32:nan';
  dv.setFloat32(0, x); return 'f32:0x' + dv.getUint32(0).toString(16).padStart(8, '0');
}
function f64(x) {
  if (Number.isNaN(x)) return 'f64:nan';
  dv.setFloat64(0, x); return 'f64:0x' + dv.getBigUint64(0).toString(16).padStart(16, '0');
}
function fmt(v, t) {
  switch (t) {
    case 0x7f: return String(v | 0);
    case 0x7e: return String(BigInt.asIntN(64, v));
    case 0x7d: return f32(v);
    case 0x7c: return f64(v);
    default: return v === null ? 'null' : 'ref';
  }
}
const zero = (t) => (t === 0x7e ? 0n : (t === 0x70 || t === 0x6f ? null : 0));

const out = [];
const print = (s) => out.push(s);
const imports = {
  'fuzzing-support': {
    'log-i32': (x) => print('log ' + fmt(x, 0x7f)),
    'log-i64': (x) => print('log ' + fmt(x, 0x7e)),
    'log-f32': (x) => print('log ' + fmt(x, 0x7d)),
    'log-f64': (x) => print('log ' + fmt(x, 0x7c)),
  },
};

// The same coarse classes as diff_runner.c's trap_category.
function trapCategory(msg) {
  if (/unreachable/i.test(msg)) return 'unreachable';
  if (/memory access out of bounds|out of bounds memory/i.test(msg)) return 'memory';
  if (/divi|remainder|unrepresentable|overflow|conversion/i.test(msg)) return 'arith';
  if (/\btable\b|signature|null function|indirect|element/i.test(msg)) return 'table';
  return 'other';
}

function isExhaustion(e) {
  return e instanceof RangeError && /call stack|stack size/i.test(String(e.message));
}

try {
  let sigs;
  let module;
  try {
    module = new WebAssembly.Module(bytes);
    sigs = exportSignatures(bytes);
  } catch (e) {
    print('compile-error # ' + e.message);
    throw null;
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    print('instantiate-error # ' + e.message);
    throw null;
  }
  const hang = instance.exports.hangLimitInitializer;
  for (const d of WebAssembly.Module.exports(module)) {
    if (d.kind !== 'function') continue;
    const sig = sigs.get(d.name);
    if (hang) hang();
    print('call ' + d.name);
    try {
      const r = instance.exports[d.name](...sig.params.map(zero));
      const vals = sig.results.length === 1 ? [r] : (sig.results.length === 0 ? [] : [...r]);
      print(['result', ...vals.map((v, i) => fmt(v, sig.results[i]))].join(' '));
    } catch (e) {
      if (isExhaustion(e)) { print('exhausted # ' + e.message); break; }
      if (e instanceof WebAssembly.RuntimeError) { print('trap ' + trapCategory(e.message) + ' # ' + e.message); continue; }
      throw e;
    }
  }
} catch (e) {
  if (e !== null) { print('js-error # ' + (e && e.stack ? e.stack : e)); }
}
process.stdout.write(out.join('\n') + '\n');
