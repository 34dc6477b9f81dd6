// Control-plane latency (node --import tsx bench/control.ts [N]): N sequential `-a` changes through
// a library Director's control socket, without and with a state file (each acknowledged change then
// costs a write + fsync + rename + folder fsync), A/B in one run, two rounds. Prints ms per change;
// nothing here is asserted anywhere.
import net from "node:net"; import fs from "node:fs"; import os from "node:os"; import path from "node:path";
import { Director } from "../src/director/api.ts";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-measure-"));
async function run(state: string | undefined, n: number) {
  const sock = path.join(dir, `s${Math.random()}`.replace(".", ""));
  const d = await Director.start({ engine: { conns: 4096, services: 16, dests: 4096 }, state, socket: sock, rules: "-A -t 10.0.0.1:80 -s rr\n" });
  const c = await new Promise<net.Socket>((r) => { const s = net.connect(sock, () => r(s)); });
  let buf = ""; let waiting: ((x: string) => void) | null = null;
  c.on("data", (x) => { buf += x; const nl = buf.indexOf("\n"); if (nl >= 0 && waiting) { const w = waiting; waiting = null; const l = buf.slice(0, nl); buf = buf.slice(nl + 1); w(l); } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await new Promise<string>((res) => { waiting = res; c.write(JSON.stringify({ argv: ["-a", "-t", "10.0.0.1:80", "-r", `10.1.${i >> 8}.${i & 255}:80`, "-m"] }) + "\n"); });
    if (!r.includes('"code":0')) throw new Error(r);
  }
  const ms = performance.now() - t0;
  c.destroy(); await d.close();
  return ms / n;
}
const n = Number(process.argv[2] ?? 300);
for (const round of [1, 2]) {
  const a = await run(undefined, n), b = await run(path.join(dir, `state${round}`), n);
  console.log(`round ${round}: no state ${a.toFixed(2)} ms/change, with state file ${b.toFixed(2)} ms/change (${n} sequential -a over the socket, ${os.tmpdir()})`);
}
fs.rmSync(dir, { recursive: true });
