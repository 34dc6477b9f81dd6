// The director's numeric address cache (src/director/addr-table.ts) against a Map keyed by address
// text as the reference model: IPv4 and IPv6 keys read from arbitrary offsets, families kept apart,
// replacement, many colliding fills, and the reset when half full (a cache may forget, never lie).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AddrTable } from "../../src/director/addr-table.ts";
import { formatIp, parseIp } from "../../src/wire/addr.ts";

const at = (text: string, pad = 3) => { const a = parseIp(text)!; const b = new Uint8Array(pad + 16 + 5); b.set(a.bytes, pad); return { af: a.af, b, o: pad }; };

test("IPv4 and IPv6 addresses are found from any offset; families and prefixes never collide", () => {
  const t = new AddrTable<string>(64);
  for (const s of ["198.18.0.2", "2001:2::2", "::", "0.0.0.0", "c612:2::"]) { const k = at(s, s.length); t.set(k.af, k.b, k.o, s); }
  for (const s of ["198.18.0.2", "2001:2::2", "::", "0.0.0.0", "c612:2::"]) { const k = at(s, 7); assert.is(t.get(k.af, k.b, k.o), s); }
  // c612:2:: begins with the bytes of 198.18.0.2 (as an IPv4 key they are that address); as IPv6 it is its own key
  const k = at("c612:2::"); assert.is(t.get(4, k.b, k.o), "198.18.0.2"); assert.is(t.get(6, k.b, k.o), "c612:2::");
  assert.is(t.get(6, at("2001:2::3").b, 3), undefined);
  t.set(4, at("198.18.0.2").b, 3, "again");
  assert.is(t.get(4, at("198.18.0.2").b, 3), "again");
  assert.is(t.size, 5);
});

test("many addresses: every lookup agrees with the Map model; a full table resets instead of growing", () => {
  const t = new AddrTable<number>(1024), model = new Map<string, number>();
  const b = new Uint8Array(16);
  let resetsSeen = 0;
  for (let i = 0; i < 5000; i++) {
    const v6 = i % 3 === 0;
    b.fill(0); b[0] = v6 ? 0x20 : 10; b[1] = v6 ? 1 : (i >> 16) & 0xff; b[2] = (i >> 8) & 0xff; b[3] = i & 0xff;
    if (v6) b[15] = i & 0x0f;
    const af = v6 ? 6 : 4, key = `${af}/${formatIp(af, b, 0)}`;
    const before = t.resets;
    t.set(af, b, 0, i);
    if (t.resets !== before) { model.clear(); resetsSeen++; }
    model.set(key, i);
    assert.ok(t.size <= 512);
  }
  assert.ok(resetsSeen >= 9, `resets ${resetsSeen}`);
  for (const [key, v] of model) {
    const [af, text] = [Number(key[0]), key.slice(2)];
    assert.is(t.get(af, parseIp(text)!.bytes, 0), v, key);
  }
  assert.is(t.size, model.size);
});

test.run();
