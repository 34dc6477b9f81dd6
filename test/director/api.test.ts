// The library Director (src/director/api.ts) without interfaces: typed changes with ipvsadm's
// semantics, errors with stable codes, all-or-nothing changes (a refused engine step changes
// nothing), the durable state file (restart from it; it wins over rules), -Z. Expected texts are the
// `ipvsadm -S -n` lines the spec (ipvs-control.md §6.6) gives for these commands, written by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Director, WvsError } from "../../src/index.ts";
import { formatSave } from "../../src/control/format-save.ts";
import { buildFrame } from "../../src/wire/build.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-api-"));
const small = { conns: 4096, services: 4, dests: 16 };
const WEB = { proto: "tcp" as const, addr: "10.0.0.1", port: 80 };

async function code(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { assert.instance(e, WvsError); return (e as WvsError).code; }
  return "resolved";
}

test("changes follow ipvsadm: defaults, -E resets omitted options, dests, --set", async () => {
  const d = await Director.start({ engine: small });
  try {
    await d.addService({ ...WEB, scheduler: "rr", persistent: 600 });
    await d.addDest(WEB, { addr: "192.168.1.2", port: 8080, fwd: "masq", weight: 3 });
    await d.addDest(WEB, { addr: "192.168.1.3", port: 8080, fwd: "masq" });
    assert.is(formatSave(await d.rules()),
      "-A -t 10.0.0.1:80 -s rr -p 600\n" +
      "-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -m -w 3\n" +
      "-a -t 10.0.0.1:80 -r 192.168.1.3:8080 -m -w 1\n");
    await d.editService({ ...WEB, scheduler: "rr" });              // -E without -p drops persistence
    await d.editDest(WEB, { addr: "192.168.1.3", port: 8080, fwd: "masq", weight: 0 });
    await d.deleteDest(WEB, { addr: "192.168.1.2", port: 8080 });
    await d.setTimeouts({ tcp: 100, udp: 30 });
    assert.is(formatSave(await d.rules()), "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.3:8080 -m -w 0\n");
    // the engine runs exactly that
    assert.is(formatSave(d.engine.snapshot()), formatSave(await d.rules()));
    const st = await d.status();
    assert.equal(st.timeouts, { tcp: 100, tcpfin: 120, udp: 30 });   // tcpfin kept at its default (§6.2)
    await d.flush();
    assert.is(formatSave(await d.rules()), "");
    assert.is(d.engine.snapshot().services.length, 0);
  } finally { await d.close(); }
});

test("errors carry stable codes; a failed change changes nothing", async () => {
  const d = await Director.start({ engine: small, rules: "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m\n" });
  try {
    const before = formatSave(await d.rules());
    assert.is(await code(d.addService({ ...WEB })), "EEXIST");
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.2", port: 80, fwd: "masq" })), "EEXIST");
    assert.is(await code(d.deleteService({ ...WEB, port: 81 })), "ESRCH_SERVICE");
    assert.is(await code(d.addDest({ ...WEB, port: 81 }, { addr: "192.168.1.2" })), "ESRCH_SERVICE");
    assert.is(await code(d.deleteDest(WEB, { addr: "192.168.1.9", port: 80 })), "ENOENT_DEST");
    assert.is(await code(d.addService({ ...WEB, port: 82, scheduler: "nosuch" })), "ENOENT_SCHEDULER");
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.5", port: 80, uThreshold: 5, lThreshold: 9 })), "ERANGE");
    assert.is(await code(d.addService({ ...WEB, addr: "not-an-address" })), "EINVAL");
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.5", weight: 1.5 })), "EINVAL");
    assert.is(await code(d.addService({ proto: "icmp" as never, addr: "10.0.0.1", port: 1 })), "EINVAL");
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.5", fwd: "toString" as never })), "EINVAL");    // an inherited name is no method
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.5", tunCsum: "constructor" as never })), "EINVAL");
    assert.is(await code(d.addService({ proto: "tcp", addr: "10.0.0.1" })), "EINVAL");     // zero port, not persistent
    // engine refusal: the service table holds 4 (index 0 reserved -> 3 usable at most); fill it
    let refused = "";
    for (let i = 2; i < 8 && !refused; i++) {
      const r = await code(d.addService({ proto: "udp", addr: `10.0.0.${i}`, port: 53 }));
      if (r !== "resolved") refused = r;
    }
    assert.is(refused, "EENGINE");
    const rules = formatSave(await d.rules());
    assert.is(formatSave(d.engine.snapshot()), rules, "engine and configuration agree after the refusal");
    assert.not.match(rules, /10\.0\.0\.7/);
    assert.ok(before.length > 0);
  } finally { await d.close(); }
  assert.is(await code(d.flush()), "ECLOSED");
});

test("state file: every change saved before it resolves, restored at start, wins over rules", async () => {
  const state = path.join(tmp, "state1");
  const d = await Director.start({ engine: small, state, rules: "-A -u 10.0.0.1:53 -s rr\n" });
  assert.is(fs.readFileSync(state, "utf8"), "-A -u 10.0.0.1:53 -s rr\n", "seeded from rules");
  await d.addDest({ proto: "udp", addr: "10.0.0.1", port: 53 }, { addr: "192.168.1.2", fwd: "masq", uThreshold: 50, lThreshold: 10 });
  await d.setTimeouts({ tcp: 900, tcpfin: 60, udp: 20 });
  const expected = "-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 192.168.1.2:53 -m -w 1 -x 50 -y 10\n--set 900 60 20\n";
  assert.is(fs.readFileSync(state, "utf8"), expected);
  await d.close();
  assert.equal(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
  const d2 = await Director.start({ engine: small, state, rules: "-A -t 10.9.9.9:80 -s rr\n" });
  try {
    assert.is(formatSave(d2.engine.snapshot()), "-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 192.168.1.2:53 -m -w 1\n");
    const dest = d2.engine.snapshot().services[0].dests[0];
    assert.is(dest.uThreshold, 50); assert.is(dest.lThreshold, 10);
    assert.equal((await d2.status()).timeouts, { tcp: 900, tcpfin: 60, udp: 20 });
  } finally { await d2.close(); }
  // a bad state file is an error, not an empty configuration
  fs.writeFileSync(path.join(tmp, "bad"), "-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n");
  assert.is(await code(Director.start({ engine: small, state: path.join(tmp, "bad") })), "ESTATE");
});

test("a state file that cannot be written fails the change with EIO and undoes it", async () => {
  const dir = path.join(tmp, "gone");
  fs.mkdirSync(dir);
  const d = await Director.start({ engine: small, state: path.join(dir, "state"), rules: "-A -t 10.0.0.1:80\n" });
  try {
    fs.rmSync(dir, { recursive: true });
    assert.is(await code(d.addDest(WEB, { addr: "192.168.1.2" })), "EIO");
    assert.is(formatSave(await d.rules()), "-A -t 10.0.0.1:80 -s wlc\n");
    assert.is(formatSave(d.engine.snapshot()), "-A -t 10.0.0.1:80 -s wlc\n");
  } finally { await d.close(); }
});

test("-Z zeroes the counters of one service and its dests, or everything", async () => {
  const d = await Director.start({ engine: small, rules:
    "-A -u 10.0.0.1:53 -s rr\n-a -u 10.0.0.1:53 -r 192.168.1.2:53 -m\n-A -u 10.0.0.2:53 -s rr\n-a -u 10.0.0.2:53 -r 192.168.1.3:53 -m\n" });
  try {
    const push = (vip: string) => {
      const f = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src: "198.51.100.7", dst: vip },
        l4: { udp: { sport: 1000, dport: 53, payload: new Uint8Array(20) } } });
      d.engine.push(f, d.engine.jiffies(1, 0)); d.engine.run();
    };
    push("10.0.0.1"); push("10.0.0.2"); push("10.0.0.2");
    const pk = async () => (await d.status()).snapshot.services.map((s) => [s.addr, s.inpkts, s.dests[0].inpkts]);
    assert.equal(await pk(), [["10.0.0.1", 1, 1], ["10.0.0.2", 2, 2]]);
    await d.zero({ proto: "udp", addr: "10.0.0.2", port: 53 });
    assert.equal(await pk(), [["10.0.0.1", 1, 1], ["10.0.0.2", 0, 0]]);
    assert.is((await d.status()).totals.inpkts, 3, "-Z of one service leaves the total");
    assert.is(await code(d.zero({ proto: "udp", addr: "10.0.0.3", port: 53 })), "ESRCH_SERVICE");
    await d.zero();
    assert.equal(await pk(), [["10.0.0.1", 0, 0], ["10.0.0.2", 0, 0]]);
    assert.is((await d.status()).totals.inpkts, 0);
    const conns = await d.conns();
    assert.is(conns.length, 2);
    assert.ok(conns.every((c) => c.proto === "UDP" && c.state === "UDP" && c.caddr === "198.51.100.7" && c.cport === 1000 && !c.template));
    assert.equal((await d.status()).conns.byState, { "UDP/UDP": 2 });
  } finally { await d.close(); }
});

test("conns(): persistence templates as the kernel lists them (§4.6), by state in status()", async () => {
  const d = await Director.start({ engine: small, rules:
    "-A -t 10.0.0.1:80 -s rr -p 300\n-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -m\n-A -f 7 -s rr -p 60\n-a -f 7 -r 192.168.1.3:0 -m\n" });
  try {
    const syn = (dst: string, dport: number, mark = 0) => {
      const f = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src: "198.51.100.7", dst },
        l4: { tcp: { sport: 40000, dport, flags: "S", seq: 1 } } } as never);
      d.engine.push(f, d.engine.jiffies(1, 0), mark); d.engine.run();
    };
    syn("10.0.0.1", 80);
    syn("10.0.0.9", 443, 7);
    const conns = (await d.conns()).map((c) => `${c.proto} ${c.caddr}:${c.cport} ${c.vaddr}:${c.vport} ${c.daddr}:${c.dport} ${c.state}${c.template ? " T" : ""}`).sort();
    assert.equal(conns, [
      "IP 198.51.100.7:0 0.0.0.7:0 192.168.1.3:0 NONE T",            // fwmark template: <IPPROTO_IP, snet, 0, mark, 0>
      "TCP 198.51.100.7:0 10.0.0.1:80 192.168.1.2:8080 NONE T",      // <proto, snet, 0, vaddr, vport> -> dest port
      "TCP 198.51.100.7:40000 10.0.0.1:80 192.168.1.2:8080 SYN_RECV",
      "TCP 198.51.100.7:40000 10.0.0.9:443 192.168.1.3:443 SYN_RECV", // persistent fwmark: the client's port kept
    ]);
    assert.equal((await d.status()).conns.byState, { "TCP/SYN_RECV": 2, "TEMPLATE/NONE": 2 });
  } finally { await d.close(); }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
