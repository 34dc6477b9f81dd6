// Engine time of a 1M-packet replay in Chromium (npm run bench:web [-- --packets N]): the page, served
// by `wvs web`'s server with the capture preloaded, replays it at full speed in its worker; the
// ReplayRun time (engine batches plus the host loop, the page's "engine ms") is read once
// replay-state is done. Two page runs: replay only (?record=0) and with the views' recording (debug
// log, conn table, decisions); plus the same replay in Node in this run for an A/B. Reported, never
// asserted. The capture: 125k TCP flows to one wlc service (bench/workload.ts), a SYN then 7 ACKs
// each, interleaved over 100 s of capture time.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RULES, makeTemplate, writeFlow, flowAddr, flowPort } from "./workload.ts";
import { formatSave } from "../src/control/format-save.ts";
import { PcapWriter } from "../src/io/pcap-writer.ts";
import { parseRules } from "../src/control/rules.ts";
import { loadEngine } from "../src/engine/load-node.ts";
import { replayCapture } from "../src/replay/replay.ts";
import { ensureWebBuild } from "../src/cli/web-build.ts";
import { startWebServer } from "../src/cli/web.ts";
import { ensureChromium, loadPlaywright, CHROMIUM_ARGS } from "../test/helpers/browser.ts";

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const PACKETS = arg("packets", 1_000_000);
const PER_FLOW = 8;
if (!(PACKETS >= PER_FLOW)) throw new Error(`--packets must be at least ${PER_FLOW}`);

function capture(): Uint8Array {
  const syn = makeTemplate("S"), ack = makeTemplate("A");
  const flows = Math.ceil(PACKETS / PER_FLOW);
  const w = new PcapWriter({ initialCapacity: PACKETS * 72 + 64 });
  const frame = new Uint8Array(54);
  const open: number[] = [];                 // flows with ACKs still to send, and how many
  let next = 0;
  for (let n = 0; n < PACKETS; n++) {
    const ns = Math.floor((n / PACKETS) * 100e9);
    const sec = 1_764_000_000 + Math.floor(ns / 1e9);
    if (next < flows && (open.length < 64 || n % 4 === 0)) {
      writeFlow(frame, 0, syn, flowAddr(next), flowPort(next));
      open.push(next, PER_FLOW - 1); next++;
    } else {
      const k = (n * 7919 % (open.length / 2)) * 2, f = open[k];
      writeFlow(frame, 0, ack, flowAddr(f), flowPort(f));
      if (--open[k + 1] === 0) open.splice(k, 2);
    }
    w.add(sec, ns % 1e9, frame);
  }
  return w.toBytes().slice();
}

const chromium = ensureChromium();
const pw = await loadPlaywright();
if (!("path" in chromium)) throw new Error(chromium.reason);
if (!("pw" in pw)) throw new Error(pw.reason);
ensureWebBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-bench-web-"));
const capFile = path.join(dir, "bench.pcap"), rulesFile = path.join(dir, "bench.rules");
const bytes = capture();
fs.writeFileSync(capFile, bytes); if (process.env.WVS_BENCH_KEEP) fs.copyFileSync(capFile, process.env.WVS_BENCH_KEEP); fs.writeFileSync(rulesFile, formatSave(RULES));
console.log(`capture: ${PACKETS} packets, ${bytes.length} bytes; rules: ${RULES.services[0].scheduler}, ${RULES.services[0].dests.length} dests`);

const rules = parseRules(fs.readFileSync(rulesFile, "utf8"), rulesFile);
const engine = await loadEngine();
engine.applyRules(rules);
const node = replayCapture(engine, bytes, capFile, rules);
console.log(`node      : ${node.elapsedMs.toFixed(0)} ms engine time (${node.packets} packets, ${node.forwarded} forwarded, ${node.conns.created} conns, drops ${JSON.stringify(node.drops)}, ${node.passed} passed)`);

if (process.argv.includes("--node-only")) process.exit(0);
const srv = await startWebServer({ capture: capFile, rules: rulesFile });
const browser = await pw.pw.chromium.launch({ executablePath: chromium.path, args: CHROMIUM_ARGS });
try {
  for (const [label, query] of [["chromium  ", "?autoplay=max&record=0"], ["chromium+v", "?autoplay=max"]]) {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(srv.url + query);
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-state"]')?.textContent === "done", null, { timeout: 600_000 });
    const wall = performance.now() - t0;
    const ms = Number(await page.evaluate(() => document.getElementById("engine-ms")!.dataset.ms));
    const packets = await page.textContent('[data-testid="packets"]'), fwd = await page.textContent('[data-testid="forwarded"]');
    console.log(`${label}: ${ms.toFixed(0)} ms engine time (${packets} packets, ${fwd} forwarded; ${(wall / 1000).toFixed(1)} s wall from page load)${query.includes("record=0") ? " replay only" : " with the views' recording"}`);
  }
} finally {
  await browser.close();
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
