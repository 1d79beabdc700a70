// gen_stress.mjs — writes one valid module that is large in one dimension to stdout, to check
// that decoding/validating/compiling cost stays proportional to the input (a decoder that is
// quadratic somewhere is a denial of service). Kinds:
//   exports N   one function exported under N names ("0", "1", ...)
//   types N     N distinct function types of 17 parameters each, and one function
//   nesting N   one function with N nested blocks
//   brtable N   one function with a br_table of N targets
//   funcs N     N small functions calling each other in a chain
//   imports N   N function imports "env" "f<i>" of type () -> ()
//   node fuzz/gen_stress.mjs exports 200000 > /tmp/m.wasm
const [kind, nArg] = process.argv.slice(2);
const n = Number(nArg || 100000);
const leb = (v) => { const o = []; do { let b = v & 0x7f; v = Math.floor(v / 128); if (v) b |= 0x80; o.push(b); } while (v); return o; };
const vec = (items) => [...leb(items.length), ...items.flat()];
const sec = (id, body) => [id, ...leb(body.length), ...body];
const name = (s) => { const b = [...Buffer.from(s)]; return [...leb(b.length), ...b]; };
const body = (code, locals = []) => { const b = [...vec(locals), ...code, 0x0b]; return [...leb(b.length), ...b]; };
const VOID = [0x60, 0, 0];
let secs;
switch (kind) {
  case 'exports':
    secs = [sec(1, vec([VOID])), sec(3, vec([[0]])),
      sec(7, vec(Array.from({ length: n }, (_, i) => [...name(String(i)), 0, 0]))),
      sec(10, vec([body([])]))];
    break;
  case 'types':
    // 17 parameters each, i32 or i64 by the bits of the index: distinct, same length.
    secs = [sec(1, vec(Array.from({ length: n }, (_, i) => [0x60, ...vec(Array.from({ length: 17 }, (_, b) => [(i >> b) & 1 ? 0x7e : 0x7f])), 0]))),
      sec(3, vec([[0]])), sec(10, vec([body([])]))];
    break;
  case 'nesting':
    secs = [sec(1, vec([VOID])), sec(3, vec([[0]])),
      sec(10, vec([body([...Array(n).fill([0x02, 0x40]).flat(), ...Array(n).fill(0x0b)])]))];
    break;
  case 'brtable':
    secs = [sec(1, vec([VOID])), sec(3, vec([[0]])),
      sec(10, vec([body([0x02, 0x40, 0x41, 0x00, 0x0e, ...leb(n), ...Array(n).fill(0), 0x00, 0x0b])]))];
    break;
  case 'funcs':
    secs = [sec(1, vec([VOID])), sec(3, vec(Array(n).fill([0]))),
      sec(7, vec([[...name('f0'), 0, 0]])),
      sec(10, vec(Array.from({ length: n }, (_, i) => body(i + 1 < n ? [0x10, ...leb(i + 1)] : []))))];
    break;
  case 'imports':
    secs = [sec(1, vec([VOID])),
      sec(2, vec(Array.from({ length: n }, (_, i) => [...name('env'), ...name('f' + i), 0, 0])))];
    break;
  default:
    console.error('usage: gen_stress.mjs exports|types|nesting|brtable|funcs|imports N'); process.exit(2);
}
process.stdout.write(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...secs.flat()]));
