// PACKET_FANOUT_CBPF through the addon (native/afpacket-fanout.c), root only: in a namespace of our
// own (wvs-f<pid>, veth va <-> vb) two sockets on va form one group; frames sent on vb go to the
// member the group's program returns modulo the member count (the kernel's documented fanout_demux_bpf
// behaviour), setFanoutProgram replaces the program for the whole group from any member, frames sent on
// va itself reach no member (ignoreOutgoing), and invalid programs are refused with EINVAL.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { ip } from "../../src/lab/topology.ts";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";

const NS = `wvs-f${process.pid}`;
const live = suite("AF_PACKET cBPF fanout");

live.before(() => {
  ip("netns", "add", NS);
  ip("-n", NS, "link", "add", "va", "address", "02:00:00:00:00:0a", "type", "veth", "peer", "name", "vb", "address", "02:00:00:00:00:0b");
  for (const d of ["va", "vb", "lo"]) ip("-n", NS, "link", "set", d, "up");
});
live.after(() => { spawnSync("ip", ["netns", "del", NS], { timeout: 10000 }); });

live("the program picks the member; replaced for the whole group; own output unseen; bad programs refused", () => {
  const r = spawnSync("ip", ["netns", "exec", NS, process.execPath, "--import", "tsx", path.join(root, "test/net/afpacket-fanout-child.ts")], { cwd: root, encoding: "utf8", timeout: 30000 });
  assert.is(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.equal(o.ret1, [0, 50]);
  assert.equal(o.ret0, [50, 0]);
  assert.equal(o.ret3, [0, 50]);
  assert.equal(o.outgoing, [0, 0]);
  assert.is(o.bad, "EINVAL");
  assert.is(o.odd, "EINVAL");
});

const addon = nativeAddon();
if (process.platform !== "linux" || process.getuid?.() !== 0 || spawnSync("ip", ["-V"]).status !== 0) skipSuite("AF_PACKET cBPF fanout", "needs Linux, root and ip");
else if (!addon || typeof addon.setFanoutProgram !== "function") skipSuite("AF_PACKET cBPF fanout", `native addon unavailable or too old (${nativeAddonError() || "no setFanoutProgram"})`);
else live.run();
