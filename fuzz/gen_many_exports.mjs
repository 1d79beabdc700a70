// gen_many_exports.mjs — writes a valid module with one function exported under N distinct names
// ("0", "1", ...) to stdout: a reproducer for decoder cost that grows faster than the input.
//   node fuzz/gen_many_exports.mjs 200000 > /tmp/m.wasm
const n = Number(process.argv[2] || 200000);
const leb = (v) => { const o = []; do { let b = v & 0x7f; v = Math.floor(v / 128); if (v) b |= 0x80; o.push(b); } while (v); return o; };
const sec = (id, body) => [id, ...leb(body.length), ...body];
const ex = [...leb(n)];
for (let i = 0; i < n; i++) { const nm = Buffer.from(String(i)); ex.push(...leb(nm.length), ...nm, 0, 0); }
const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...sec(1, [1, 0x60, 0, 0]), ...sec(3, [1, 0]), ...sec(7, ex), ...sec(10, [1, 2, 0, 0x0b])];
process.stdout.write(Buffer.from(bytes));
