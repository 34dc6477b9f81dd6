// update_defense_level (ipvs-control.md §3.3) step by step: a transcription of the spec's mode table
// and per-knob effects, written here independently of src/defense/level.ts, run over a scripted
// memory sequence for every starting mode 0..3 of each knob; the worked rate example; am_droprate in
// mode 3 (counter untouched); secure_tcp changes only on transitions; negative amemthresh = 0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { newDefenseState, updateDefenseLevel } from "../../src/defense/level.ts";
import { defenseDefaults, setDefenseVar, parseDefenseList, DefenseVarError } from "../../src/defense/vars.ts";

// §3.3 table: [strategy on, value after] for (current value, nomem)
const TABLE: Record<number, { nomem: [boolean, number]; ok: [boolean, number] }> = {
  0: { nomem: [false, 0], ok: [false, 0] },
  1: { nomem: [true, 2], ok: [false, 1] },
  2: { nomem: [true, 2], ok: [false, 1] },
  3: { nomem: [true, 3], ok: [true, 3] },
};

const AMEM = 1024;
// plenty, short, shorter, back, short, the worked example's values, back, zero
const SEQ = [5000, 1000, 900, 2000, 768, 600, 513, 512, 511, 1024, 1023, 0, 3000];

for (const mode of [0, 1, 2, 3]) {
  test(`drop_entry mode ${mode} over the memory sequence`, () => {
    const vars = defenseDefaults({ drop_entry: mode });
    const s = newDefenseState(vars);
    let value = mode;
    for (const avail of SEQ) {
      const nomem = avail < AMEM;
      const [on, next] = nomem ? TABLE[value].nomem : TABLE[value].ok;
      const r = updateDefenseLevel(s, avail);
      assert.is(r.nomem, nomem);
      assert.is(r.dropEntryActive, on, `avail ${avail} value ${value}`);
      assert.is(vars.drop_entry, next, `value after avail ${avail}`);
      value = next;
      assert.is(r.dropRate, 0, "drop_packet 0 keeps rate 0");
      assert.is(r.secureTcpChange, null, "secure_tcp 0 never changes");
    }
  });

  test(`drop_packet mode ${mode} over the memory sequence (rate formula, am_droprate)`, () => {
    const vars = defenseDefaults({ drop_packet: mode, am_droprate: 7 });
    const s = newDefenseState(vars);
    let value = mode;
    for (const avail of SEQ) {
      const nomem = avail < AMEM;
      const [on, next] = nomem ? TABLE[value].nomem : TABLE[value].ok;
      const r = updateDefenseLevel(s, avail);
      let rate = 0, reset = false;
      if (value === 3) rate = 7;                                   // mode 3: am_droprate, counter kept
      else if (on) { rate = Math.floor(AMEM / (AMEM - avail)); reset = true; }
      assert.is(r.dropRate, rate, `avail ${avail} value ${value}`);
      assert.is(r.resetCounter, reset, `counter reset at avail ${avail} value ${value}`);
      assert.is(vars.drop_packet, next);
      if (reset) assert.is(s.dropCounter, rate);
      value = next;
      assert.is(r.dropEntryActive, false);
    }
  });

  test(`secure_tcp mode ${mode} over the memory sequence (changes only on transitions)`, () => {
    const vars = defenseDefaults({ secure_tcp: mode });
    const s = newDefenseState(vars);
    let value = mode, old = 0;                                     // old_secure_tcp starts at 0
    for (const avail of SEQ) {
      const nomem = avail < AMEM;
      const [, next] = nomem ? TABLE[value].nomem : TABLE[value].ok;
      const r = updateDefenseLevel(s, avail);
      const effOld = old >= 2, effNew = next >= 2;
      assert.is(r.secureTcpChange, effOld === effNew ? null : effNew, `avail ${avail} value ${value} old ${old}`);
      assert.is(vars.secure_tcp, next);
      old = next; value = next;
    }
  });
}

test("worked example of §3.3: amemthresh 1024", () => {
  const want: [number, number][] = [[1000, 42], [900, 8], [768, 4], [600, 2], [513, 2], [512, 2], [511, 1], [1, 1], [0, 1]];
  for (const [avail, rate] of want) {
    const s = newDefenseState(defenseDefaults({ drop_packet: 2 }));
    assert.is(updateDefenseLevel(s, avail).dropRate, rate, `availmem ${avail}`);
  }
});

test("amemthresh <= 0 is 0: never short of memory; am_droprate 0 and negative in mode 3 pass through", () => {
  const vars = defenseDefaults({ amemthresh: -5, drop_entry: 1, drop_packet: 1, secure_tcp: 1 });
  const s = newDefenseState(vars);
  const r = updateDefenseLevel(s, 0);
  assert.is(r.nomem, false); assert.is(r.amemthresh, 0);
  assert.is(vars.drop_entry, 1); assert.is(vars.drop_packet, 1); assert.is(vars.secure_tcp, 1);
  for (const rate of [0, -1, 10]) {
    const s3 = newDefenseState(defenseDefaults({ drop_packet: 3, am_droprate: rate }));
    s3.dropCounter = 99;
    const r3 = updateDefenseLevel(s3, 5000);
    assert.is(r3.dropRate, rate); assert.is(r3.resetCounter, false); assert.is(s3.dropCounter, 99);
  }
});

test("secure_tcp written 3 -> 1 -> 0: on at once, off at the next update without nomem, then quiet", () => {
  const vars = defenseDefaults({ secure_tcp: 3 });
  const s = newDefenseState(vars);
  assert.is(updateDefenseLevel(s, 5000).secureTcpChange, true);
  assert.is(updateDefenseLevel(s, 5000).secureTcpChange, null);
  vars.secure_tcp = 1;
  assert.is(updateDefenseLevel(s, 5000).secureTcpChange, false, "old 3 >= 2 -> off");
  vars.secure_tcp = 0;
  assert.is(updateDefenseLevel(s, 100).secureTcpChange, null);
  vars.secure_tcp = 2;                                              // written 2 with memory fine
  const r = updateDefenseLevel(s, 5000);
  assert.is(r.secureTcpChange, null, "old 0: nothing to turn off");
  assert.is(vars.secure_tcp, 1);
});

test("the write handler: modes 0..3 only, ints only; list parser", () => {
  const v = defenseDefaults();
  assert.is(setDefenseVar(v, "drop_packet", "3"), true);
  assert.is(setDefenseVar(v, "drop_packet", "3"), false, "same value: no update");
  assert.throws(() => setDefenseVar(v, "drop_entry", "4"), (e: unknown) => e instanceof DefenseVarError);
  assert.throws(() => setDefenseVar(v, "secure_tcp", "-1"), /0\.\.3/);
  assert.throws(() => setDefenseVar(v, "amemthresh", "1k"), /not an integer/);
  assert.throws(() => setDefenseVar(v, "nope", "1"), /not a defense variable/);
  setDefenseVar(v, "am_droprate", "-3"); assert.is(v.am_droprate, -3);
  assert.equal(parseDefenseList("drop_entry=1, amemthresh=200"), { ...defenseDefaults(), drop_entry: 1, amemthresh: 200 });
  assert.throws(() => parseDefenseList("drop_entry"), /name=value/);
});

test.run();
