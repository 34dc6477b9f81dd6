// What the page's worker records (web/src/recorder.ts), run under Node on a capture built with the
// project's packet builder: state-transition counts match how the builder ended each TCP flow (the
// IPVS TCP state table: a client FIN in ESTABLISHED -> CLOSE_WAIT, a client RST -> CLOSE), and every
// scheduling decision, replayed one packet per batch, picked a dest that is lowest by the kernel's
// formula (wlc: (active*256+inactive)/weight, sed: (active+1)/weight; rr alternates) applied to the
// dest counters the page shows for that decision. Also the reason texts for those formulas.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { ReplayRun } from "../../src/replay/replay.ts";
import { shopExample } from "../../src/fixtures/web-examples.ts";
import { Recorder, RECORD_DEBUG_LEVEL } from "../../web/src/recorder.ts";
import { decisionReason } from "../../web/src/reason.ts";
import type { Decision } from "../../web/src/protocol.ts";

const CLIENTS = 400;
const ex = shopExample({ clients: CLIENTS, queries: 60, seconds: 30, seed: 5 });

async function record(maxBatch: number) {
  const e = await loadEngine({ hugePages: false });
  e.x.setSysctl(A.SET_DEBUG_LEVEL, RECORD_DEBUG_LEVEL);
  const rules = parseRules(ex.rules, "shop.rules");
  e.applyRules(rules);
  const rec = new Recorder(e, 1_764_000_000, 30, 1 << 20);
  const run = new ReplayRun(e, openCapture(ex.capture, "shop.pcap"), rules, { reflect: true, afterBatch: () => rec.afterBatch(), maxBatch });
  run.step(Infinity);
  return { rec, result: run.result(), decisions: rec.recentDecisions(1 << 20).reverse() };
}

const lowestBy = (d: Decision, f: (c: Decision["candidates"][number]) => number) => {
  const min = Math.min(...d.candidates.filter((c) => c.weight > 0).map(f));
  return d.candidates.filter((c) => Math.abs(f(c) - min) < 1e-9).map((c) => c.key);
};

test("state transitions follow how the builder ended each flow", async () => {
  const { rec, result } = await record(512);
  const t = new Map(rec.transitionCounts());
  assert.is(t.get("TCP SYN_RECV→ESTABLISHED"), CLIENTS, "every client completed the handshake");
  assert.is(t.get("TCP ESTABLISHED→CLOSE_WAIT"), ex.flows.fin);
  assert.is(t.get("TCP ESTABLISHED→CLOSE"), ex.flows.rst);
  assert.is(rec.connCounts().tracked, result.conns.created, "every conn the engine created is in the table");
  assert.is(rec.connCounts().logLost, 0);
  const page = rec.connPage({ sort: "client", desc: false, state: "ESTABLISHED", client: "", dest: "", offset: 0, limit: 10 });
  assert.ok(page.total >= ex.flows.open, "conns left open are still ESTABLISHED");
  assert.ok(page.rows.length > 0 && page.rows.every((r) => r.state === "ESTABLISHED" && r.history.map((h) => h[1]).join(" ") === "NONE SYN_RECV ESTABLISHED"), JSON.stringify(page.rows[0]));
});

test("conn table: filter by dest, sort by client both ways, pages", async () => {
  const { rec, result } = await record(512);
  const web = result.services.find((s) => s.port === 80)!;
  const d13 = web.dests.find((d) => d.addr === "192.168.10.13")!;
  const q = { sort: "client" as const, desc: false, state: "", client: "", dest: "192.168.10.13:8080", offset: 0, limit: 1 << 20 };
  const all = rec.connPage(q);
  assert.is(all.total, d13.conns, "every conn the dest counted is listed under it");
  assert.ok(all.rows.every((r) => r.dest === "192.168.10.13:8080"));
  for (let k = 1; k < all.rows.length; k++) assert.ok(all.rows[k - 1].client <= all.rows[k].client, "ascending");
  const down = rec.connPage({ ...q, desc: true });
  assert.equal(down.rows.map((r) => r.id), all.rows.map((r) => r.id).reverse());
  const p2 = rec.connPage({ ...q, offset: 10, limit: 10 });
  assert.equal(p2.rows.map((r) => r.id), all.rows.slice(10, 20).map((r) => r.id));
  const byId = rec.connPage({ ...q, sort: "created", dest: "", desc: true, limit: 5 });
  assert.equal(byId.rows.map((r) => r.id), [result.conns.created, result.conns.created - 1, result.conns.created - 2, result.conns.created - 3, result.conns.created - 4]);
});

test("one packet per batch: every decision is lowest by the scheduler's formula on the counters shown", async () => {
  const { decisions } = await record(1);
  assert.ok(decisions.length > CLIENTS, `${decisions.length} decisions`);
  let rrLast = "";
  for (const d of decisions) {
    if (d.scheduler === "wlc") assert.ok(lowestBy(d, (c) => (c.active * 256 + c.inactive) / c.weight).includes(d.dest), `${d.t}: ${JSON.stringify(d)}`);
    else if (d.scheduler === "sed") assert.ok(lowestBy(d, (c) => (c.active + 1) / c.weight).includes(d.dest), `${d.t}: ${JSON.stringify(d)}`);
    else if (d.scheduler === "rr") { assert.is.not(d.dest, rrLast, "rr alternates over two dests"); rrLast = d.dest; }
    assert.not.match(d.reason, /counters are as of/);
  }
});

test("expiry: a conn closed by RST is listed expired 10 s (the CLOSE timeout, spec §TCP states) after it entered CLOSE", async () => {
  const { rec } = await record(512);
  const page = rec.connPage({ sort: "created", desc: false, state: "expired", client: "", dest: "", offset: 0, limit: 1 << 20 });
  assert.ok(page.total > 0 && page.total <= ex.flows.rst, `${page.total} expired, ${ex.flows.rst} flows reset`);
  for (const r of page.rows) {
    const h = r.history, last = h[h.length - 1], before = h[h.length - 2];
    assert.is(last[1], "expired", JSON.stringify(r));
    assert.is(r.ended, last[0]);
    assert.is(before[1], "CLOSE", "only RST-closed conns time out within the capture (CLOSE_WAIT lasts 60 s)");
    assert.ok(Math.abs(last[0] - before[0] - 10) < 0.02, `expired ${last[0] - before[0]} s after CLOSE: ${JSON.stringify(r)}`);
  }
});

test("reason texts: lowest, ties, and a pick the shown counters do not explain", () => {
  const c = (key: string, weight: number, active: number, inactive: number, chosen = false) => ({ key, weight, active, inactive, chosen });
  assert.match(decisionReason("wlc", [c("a", 1, 1, 0), c("b", 3, 2, 0, true)], "b", false, false), /\(2×256\+0\)\/3 = 170\.7, the lowest$/);
  assert.match(decisionReason("lc", [c("a", 1, 0, 2, true), c("b", 1, 0, 2)], "a", false, false), /tied with 1 other/);
  assert.match(decisionReason("sed", [c("a", 1, 0, 0), c("b", 1, 5, 0, true)], "b", false, false), /lowest by the counters shown was a/);
  assert.match(decisionReason("nq", [c("a", 1, 0, 0, true)], "a", false, false), /idle dest/);
  assert.match(decisionReason("wlc", [c("a", 1, 0, 0, true)], "a", true, false), /^persistence/);
});

test.run();
