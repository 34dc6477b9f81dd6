// Scheduler picks through the whole engine: rules applied as an ipvsadm file, SYNs from distinct
// clients, the chosen real server read from each transmitted frame's destination address.
// Expected sequences come from ipvs-dataplane.md §5.1-§5.4 (the wrr table is printed in §5.2) and,
// for lc/wlc, from a direct transcription of the spec's selection rule kept in this test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";

const VIP = "10.0.0.100";
const RS: Record<string, string> = { A: "192.168.1.1", B: "192.168.1.2", C: "192.168.1.3" };
const NAME: Record<string, string> = Object.fromEntries(Object.entries(RS).map(([k, v]) => [v, k]));

/**
 * The dests are added one by one after the service (as `ipvsadm -R` does); with `edit`, the service
 * starts on rr and is then switched to `sched` (ipvsadm -E), so the scheduler initialises with every
 * dest present.
 */
async function picks(sched: string, added: [string, number][], n: number, edit = false): Promise<string> {
  const lines = [`-A -t ${VIP}:80 -s ${edit ? "rr" : sched}`, ...added.map(([d, w]) => `-a -t ${VIP}:80 -r ${RS[d]}:80 -m -w ${w}`)];
  const e = await loadEngine({ conns: 1024 });
  const rules = parseRules(lines.join("\n"), "sched.rules");
  e.applyRules(rules);
  if (edit) e.editService(e.applied[0].index, { ...rules.services[0], scheduler: sched });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const syn = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
      ip: { v: 4, src: `198.51.100.${1 + i}`, dst: VIP }, l4: { tcp: { sport: 1024 + i, dport: 80, flags: "S" } } });
    e.push(syn, 1000);
    e.run();
    assert.is(e.verdict(0).kind, 1, `SYN ${i} transmitted`);
    const d = decodeFrame(e.output(0));
    out.push(NAME[(d as any).ip.dst] ?? "?");
  }
  return out.join(" ");
}

test("rr: dests added A, B, C are used C, B, A, C, B, A (newest first)", async () => {
  assert.is(await picks("rr", [["A", 1], ["B", 1], ["C", 1]], 6), "C B A C B A");
});

test("rr skips a weight-0 (quiescent) dest", async () => {
  assert.is(await picks("rr", [["A", 1], ["B", 0], ["C", 1]], 4), "C A C A");
});

// The §5.2 table is the scheduler started with all dests present (init_service: cw = mw).
test("wrr: list order A=4, B=3, C=2 gives A A B A B C A B C (spec §5.2)", async () => {
  assert.is(await picks("wrr", [["C", 2], ["B", 3], ["A", 4]], 18, true), "A A B A B C A B C A A B A B C A B C");
});

test("wrr: A, B, C added in that order with weights 4, 3, 2 gives A B A C B A C B A (spec §5.2)", async () => {
  assert.is(await picks("wrr", [["A", 4], ["B", 3], ["C", 2]], 9, true), "A B A C B A C B A");
});

test("wrr: weights 5, 3, 1 in list order A, B, C (spec §5.2)", async () => {
  assert.is(await picks("wrr", [["C", 1], ["B", 3], ["A", 5]], 9, true), "A A A B A B A B C");
});

test("wrr: A=4 and B=2 (gcd 2, mw 3) gives A A B (spec §5.2)", async () => {
  assert.is(await picks("wrr", [["B", 2], ["A", 4]], 6, true), "A A B A A B");
});

// Dests added one at a time go through dest_changed (§5.2's update rule): the first add sets
// cw = mw of that moment; later adds keep cw (di = 1), so the first lap runs at cw = 1 before the
// steady A A B A B C cycle.
test("wrr built by -a one dest at a time follows the update rule", async () => {
  // C(2): di 2, mw 1, cw 0 -> 1; B(3): di 1, mw 3, cw 1 kept; A(4): mw 4, cw 1 kept.
  assert.is(await picks("wrr", [["C", 2], ["B", 3], ["A", 4]], 12), "A B C A A B A B C A B C");
});

/** The spec's rule for lc (§5.3) and wlc (§5.4) over SYN-only traffic (every conn active). */
function model(sched: "lc" | "wlc", added: [string, number][], n: number): string {
  const list = [...added].reverse().map(([name, w]) => ({ name, w, active: 0 }));
  const oh = (d: { active: number }) => d.active * 256;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let least: (typeof list)[0] | null = null;
    for (const d of list) {
      if (d.w <= 0) continue;
      if (!least) { least = d; continue; }
      if (sched === "lc" ? oh(d) < oh(least) : oh(least) * d.w > oh(d) * least.w) least = d;
    }
    least!.active++;
    out.push(least!.name);
  }
  return out.join(" ");
}

test("lc: least overhead, ties to the first in list order", async () => {
  const added: [string, number][] = [["A", 1], ["B", 5], ["C", 1]];
  const want = model("lc", added, 9);
  assert.is(want.split(" ").slice(0, 3).join(" "), "C B A");
  assert.is(await picks("lc", added, 9), want);
});

test("wlc: overhead/weight by cross-multiplication, weight 0 excluded", async () => {
  const added: [string, number][] = [["A", 3], ["B", 0], ["C", 1]];
  const want = model("wlc", added, 12);
  assert.ok(!want.includes("B"));
  assert.is(await picks("wlc", added, 12), want);
});

test("wlc with weights 1, 2, 3: long-run share follows the weights", async () => {
  const added: [string, number][] = [["A", 1], ["B", 2], ["C", 3]];
  const got = await picks("wlc", added, 60);
  assert.is(got, model("wlc", added, 60));
  const count = (x: string) => got.split(" ").filter((p) => p === x).length;
  assert.equal([count("A"), count("B"), count("C")], [10, 20, 30]);
});

// The wlc scheduler keeps an array of the dest list (rebuilt on every list change): picks after a
// delete, an add and a scheduler switch must follow the model over the list as it then is.
test("wlc after dests are deleted and added, and after a switch from rr, follows the model", async () => {
  const e = await loadEngine({ conns: 1024 });
  const rules = parseRules([`-A -t ${VIP}:80 -s rr`, ...[["A", 1], ["B", 2], ["C", 3]].map(([d, w]) => `-a -t ${VIP}:80 -r ${RS[d]}:80 -m -w ${w}`)].join("\n"), "w.rules");
  e.applyRules(rules);
  e.editService(e.applied[0].index, { ...rules.services[0], scheduler: "wlc" });
  let client = 0;
  const send = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++, client++) {
      e.push(buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
        ip: { v: 4, src: `198.51.${100 + (client >> 8)}.${client & 255}`, dst: VIP }, l4: { tcp: { sport: 1024, dport: 80, flags: "S" } } }), 1000);
      e.run();
      out.push(NAME[(decodeFrame(e.output(0)) as any).ip.dst] ?? "?");
    }
    return out.join(" ");
  };
  assert.is(send(12), model("wlc", [["A", 1], ["B", 2], ["C", 3]], 12));
  // delete C: A has 2 active (weight 1), B 4 (weight 2) -> the model over [B, A] with those counts
  const di = (name: string) => e.applied[0].dests.find((d) => d.rule.addr === RS[name])!.index;
  e.deleteDest(di("C"));
  const got = send(6).split(" ");
  assert.equal([got.filter((x) => x === "A").length, got.filter((x) => x === "B").length], [2, 4], "A and B keep their 1:2 share");
  assert.ok(!got.includes("C"), "the deleted dest is never picked");
  // add C again with weight 6: revived from the trash with its 6 conns (overhead 1536 / 6 = 256 per
  // weight against 1024 for A and B), the head of the list, it takes the next picks
  e.addDest(e.applied[0].index, { ...rules.services[0].dests[2], weight: 6 });
  assert.is(send(3), "C C C");
});

test.run();
