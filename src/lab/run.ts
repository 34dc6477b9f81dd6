// The live lab run by `npm start` (src/cli/start.ts): a client, a director and three real servers in
// namespaces of our own (topology.ts), tiny HTTP servers on the real servers, `wvs director` between
// them (NAT, wrr 3:2:1) printing the `ipvsadm -L -n --stats` table every second, a bounded number of
// HTTP requests from the client to the VIP spread over a few seconds, then SIGTERM (final table) and
// removal of everything created, also on error and on SIGINT/SIGTERM.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Lab, countOf } from "./topology.ts";

export interface LabRunOptions {
  /** Project root (bin/wvs.mjs lives there). */
  root: string;
  /** Approximate duration of the request phase, seconds. */
  seconds: number;
  /** Total number of HTTP requests (sequential, evenly spaced over `seconds`). */
  requests: number;
  out?: (s: string) => void;
  log?: (s: string) => void;
}

export async function runLab(o: LabRunOptions): Promise<number> {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const log = o.log ?? ((s: string) => process.stderr.write(`wvs lab: ${s}\n`));
  const lab = new Lab({ prefix: `wvs-l${process.pid}`, realServers: 3, cwd: o.root });
  const unhook = lab.cleanupOnExit();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-lab-"));
  const rmTmp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on("exit", rmTmp); // also after SIGINT/SIGTERM (cleanupOnExit exits the process)
  try {
    log(`building namespaces ${lab.namespaces.join(", ")} (198.18.0.0/15, inside them only)`);
    lab.setup();
    await lab.startServers();
    log(`HTTP servers listening on ${lab.rs.map((_, i) => `${lab.rsAddr(i)}:8080`).join(", ")}`);
    const rules = path.join(tmp, "lab.rules");
    const weights = [3, 2, 1];
    fs.writeFileSync(rules, [`-A -t ${lab.vip}:8080 -s wrr`,
      ...lab.rs.map((_, i) => `-a -t ${lab.vip}:8080 -r ${lab.rsAddr(i)}:8080 -m -w ${weights[i] ?? 1}`)].join("\n") + "\n");
    log(`rules: ${fs.readFileSync(rules, "utf8").trim().split("\n").join(" | ")}`);
    const d = lab.spawn(lab.director, [process.execPath, path.join(o.root, "bin/wvs.mjs"), "director", "--rules", rules,
      "--take-forwarding", "--stats-every", "1", "--socket", path.join(tmp, "wvs.sock")], out);
    try { await d.waitFor(/running on .* with \d+ services/, "err", 20000); }
    catch (e) { log(`the director did not start: ${d.err.trim().split("\n").slice(-5).join(" / ")}`); throw e; }
    log(`director running in ${lab.director}; ${o.requests} HTTP requests from ${lab.client} to ${lab.vip}:8080 over ${o.seconds} s`);
    const gap = Math.max(0, Math.floor((o.seconds * 1000) / o.requests));
    const r = await lab.requests(o.requests, { gapMs: gap });
    await new Promise((res) => setTimeout(res, 1100)); // one more table with the last counters
    d.kill("SIGTERM");
    const code = await d.exit(10000);
    const per = lab.rs.map((_, i) => `rs${i + 1} ${countOf(r.bodies, `rs${i + 1}`)}`).join(", ");
    log(`director stopped (exit ${code}); ${r.bodies.length}/${o.requests} answered (${per})` +
      (r.errors.length ? `; ${r.errors.length} errors: ${[...new Set(r.errors)].join(", ")}` : ""));
    return code === 0 && r.errors.length === 0 && r.bodies.length === o.requests ? 0 : 1;
  } finally {
    lab.teardown();
    unhook();
    process.off("exit", rmTmp);
    rmTmp();
    log("namespaces removed");
  }
}
