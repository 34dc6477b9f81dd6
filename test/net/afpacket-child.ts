// Child process for test/net/afpacket.test.ts, run inside a test network namespace with
// `ip netns exec NS node --import tsx test/net/afpacket-child.ts MODE JSON`. It prints "READY" once
// its sockets are open, progress lines ("DOWN code", "UP"), and one final JSON line with its results.
// Every loop is bounded by a count and a deadline; it sends only on the namespace's own interfaces.
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import { pathToFileURL } from "node:url";
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";
import { AfPacketDevice, hostJiffies, type RxFrameInfo } from "../../src/io/afpacket.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import { verifyChecksums } from "../../src/wire/verify.ts";

// uvu loads every file under test/ matching its pattern: do nothing unless run as the main script.
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const [mode, json] = isMain ? process.argv.slice(2) : ["", "{}"];
const args = JSON.parse(json ?? "{}");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const done = (r: unknown) => { console.log(JSON.stringify(r)); process.exit(0); };

/** Test payload: 4-byte big-endian sequence number, then bytes (seq + i) & 0xff. */
export function payload(seq: number, size: number): Buffer {
  const b = Buffer.alloc(Math.max(size, 4));
  b.writeUInt32BE(seq, 0);
  for (let i = 4; i < b.length; i++) b[i] = (seq + i) & 0xff;
  return b;
}
function payloadOk(p: Uint8Array): boolean {
  if (p.length < 4) return false;
  const seq = (p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]) >>> 0;
  for (let i = 4; i < p.length; i++) if (p[i] !== ((seq + i) & 0xff)) return false;
  return true;
}

/** Receives everything ready into the engine, handing each frame (copied before the batch runs) to fn. */
function drain(dev: AfPacketDevice, engine: Engine, fn: (info: RxFrameInfo, frame: Uint8Array) => void): number {
  let total = 0;
  for (let guard = 0; guard < 10000; guard++) {
    const n = dev.receive(engine, hostJiffies());
    for (let i = 0; i < n; i++) {
      const info = dev.rxInfo(i);
      fn(info, engine.u8.slice(info.offset, info.offset + info.length));
    }
    total += n;
    if (n === 0) {
      if (engine.batchCount === 0) break;
      engine.run();
    }
  }
  if (engine.batchCount > 0) engine.run();
  return total;
}

interface Rec { len: number; l4: string; sport: number; csumOk: boolean; notReady: boolean; completed: boolean; vlan: boolean; tci: number; tagOnWire: number; payloadOk: boolean; pktType: number }

function record(info: RxFrameInfo, f: Uint8Array, port: number): Rec | null {
  const d = decodeFrame(f);
  const l4 = d.ip?.l4;
  if (!l4 || (l4.kind !== "udp" && l4.kind !== "tcp") || l4.dport !== port) return null;
  const pl = l4.kind === "udp" ? l4.payload : null;
  return {
    len: f.length, l4: l4.kind, sport: l4.sport, csumOk: verifyChecksums(d).ok, notReady: info.csumNotReady, completed: info.csumCompleted,
    vlan: info.vlan, tci: info.tci, tagOnWire: f[12] << 8 | f[13], payloadOk: pl ? payloadOk(pl) : true, pktType: info.pktType,
  };
}

async function main(): Promise<void> {
  switch (mode) {
    case "rx": {
      // Receive `expect` TCP/UDP frames to `port` on `iface` into an engine; a second socket with a tiny ring is never read.
      const engine = await loadEngine({ conns: 4096, hugePages: false });
      const dev = AfPacketDevice.open(args.iface, { retireMs: 2 });
      const tiny = args.tiny ? AfPacketDevice.open(args.iface, { blockSize: 4096, blockCount: 2, frameSize: 2048, retireMs: 2 }) : null;
      const recs: Rec[] = [];
      const pcap = args.pcap ? new PcapWriter() : null;
      let wakeups = 0, other = 0;
      const take = () => drain(dev, engine, (info, f) => {
        const r = record(info, f, args.port);
        if (r) { recs.push(r); pcap?.add(1, 0, f); } else other++;
      });
      dev.on("readable", () => { wakeups++; take(); });
      dev.start();
      console.log("READY");
      const deadline = Date.now() + (args.timeoutMs ?? 8000);
      while (recs.length < args.expect && Date.now() < deadline) await sleep(10);
      await sleep(50);
      take();
      dev.stop();
      if (pcap) fs.writeFileSync(args.pcap, pcap.toBytes());
      const st = dev.stats(), tst = tiny?.stats();
      dev.close(); tiny?.close();
      done({ recs, other, wakeups, stats: st, tiny: tst, enginePackets: engine.counter(A.CNT_PACKETS) });
      return;
    }
    case "udp": {
      // Send `count` datagrams of `size` bytes to `to`:`port`, one after another.
      const s = dgram.createSocket(args.family === 6 ? "udp6" : "udp4");
      let sent = 0;
      for (let i = 0; i < args.count; i++) {
        await new Promise<void>((res) => s.send(payload(i, args.size ?? 64), args.port, args.to, (e) => { if (!e) sent++; res(); }));
        if (args.paceEvery && i % args.paceEvery === args.paceEvery - 1) await sleep(1);
      }
      s.close();
      done({ sent });
      return;
    }
    case "tcp": {
      // One connection attempt (nobody listens: the SYN goes out, a RST comes back).
      await new Promise<void>((res) => {
        const c = net.connect({ host: args.to, port: args.port, timeout: 1000 });
        c.on("error", () => res()); c.on("timeout", () => { c.destroy(); res(); }); c.on("connect", () => { c.destroy(); res(); });
      });
      done({ ok: true });
      return;
    }
    case "raw-send": {
      // sendFrames `count` frames of EtherType 0x88b5 on `iface`; see which of our own sockets saw them.
      const engine = await loadEngine({ conns: 4096, hugePages: false });
      const tx = AfPacketDevice.open(args.iface, { txRing: args.txRing });     // ignoreOutgoing (default)
      const all = AfPacketDevice.open(args.iface, { ignoreOutgoing: false });
      const buf = new Uint8Array(args.count * 128), off = new Uint32Array(args.count), len = new Uint32Array(args.count);
      for (let i = 0; i < args.count; i++) {
        const f = new Uint8Array(60);
        f.set([0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x88, 0xb5]);
        f.set(payload(i, 46), 14);
        buf.set(f, i * 128); off[i] = i * 128; len[i] = 60;
      }
      let sent = 0;
      for (let i = 0; i < args.count; i += args.chunk ?? args.count)    // several calls: the ring's slots are reused
        sent += tx.sendFrames(buf, off.subarray(i), len.subarray(i), Math.min(args.chunk ?? args.count, args.count - i));
      await sleep(100);
      let seenSelf = 0, seenOutgoing = 0;
      drain(tx, engine, (_i, f) => { if ((f[12] << 8 | f[13]) === 0x88b5) seenSelf++; });
      drain(all, engine, (i, f) => { if ((f[12] << 8 | f[13]) === 0x88b5 && i.pktType === 4) seenOutgoing++; });
      // an untagged frame one byte above what the kernel lets through (MTU 1500 + Ethernet header):
      // EMSGSIZE, from sendmmsg and from the ring's own check alike
      let bigCode = "";
      const big = new Uint8Array(1500 + 14 + 1);
      big.set(buf.subarray(0, 14));
      try { tx.sendFrames(big, new Uint32Array([0]), new Uint32Array([big.length]), 1); }
      catch (e) { bigCode = (e as { code?: string }).code ?? String(e); }
      const st = tx.stats();
      tx.close(); all.close();
      done({ sent, seenSelf, seenOutgoing, txSent: st.txSent, txDropped: st.txDropped, bigCode });
      return;
    }
    case "raw-udp": {
      // sendFrames `count` IPv4 UDP frames (198.18.0.2 -> 198.18.0.1:port, optional 802.1Q tag) on `iface`.
      const frames = Array.from({ length: args.count }, (_, i) => buildFrame({
        eth: { dst: "02:00:00:00:00:0a", src: "02:00:00:00:00:0b", vlan: args.vlan },
        ip: { v: 4, src: "198.18.0.2", dst: "198.18.0.1" }, l4: { udp: { sport: 40000, dport: args.port, payload: payload(i, args.size) } },
      }));
      const buf = new Uint8Array(frames.length * 2048), off = new Uint32Array(frames.length), len = new Uint32Array(frames.length);
      frames.forEach((f, i) => { buf.set(f, i * 2048); off[i] = i * 2048; len[i] = f.length; });
      const dev = AfPacketDevice.open(args.iface);
      const sent = dev.sendFrames(buf, off, len, frames.length);
      dev.close();
      done({ sent });
      return;
    }
    case "capture": {
      // Count frames of EtherType 0x88b5 arriving on `iface` and check their payloads.
      const engine = await loadEngine({ conns: 4096, hugePages: false });
      const dev = AfPacketDevice.open(args.iface, { retireMs: 2 });
      let count = 0, ok = 0;
      const seqs = new Set<number>();
      const take = () => drain(dev, engine, (_i, f) => {
        if ((f[12] << 8 | f[13]) !== 0x88b5) return;
        count++;
        if (payloadOk(f.subarray(14))) { ok++; seqs.add(f[14] << 24 | f[15] << 16 | f[16] << 8 | f[17]); }
      });
      dev.on("readable", take);
      dev.start();
      console.log("READY");
      const deadline = Date.now() + (args.timeoutMs ?? 5000);
      while (count < args.expect && Date.now() < deadline) await sleep(10);
      await sleep(50);
      take();
      dev.close();
      done({ count, ok, distinct: seqs.size });
      return;
    }
    case "flap": {
      // Survive the link going down and up: report DOWN/UP, then receive `expect` UDP frames to `port`.
      const engine = await loadEngine({ conns: 4096, hugePages: false });
      const dev = AfPacketDevice.open(args.iface, { retireMs: 2, retryMs: 50 });
      let downCode = "", ups = 0;
      const recs: Rec[] = [];
      const take = () => drain(dev, engine, (info, f) => { const r = record(info, f, args.port); if (r) recs.push(r); });
      dev.on("readable", take);
      dev.on("down", (code: string) => { downCode = code; console.log(`DOWN ${code}`); });
      dev.on("up", () => { ups++; console.log("UP"); });
      dev.start();
      console.log("READY");
      const deadline = Date.now() + (args.timeoutMs ?? 10000);
      while (recs.length < args.expect && Date.now() < deadline) await sleep(10);
      await sleep(50);
      take();
      const st = dev.stats();
      dev.close();
      done({ downCode, ups, received: recs.length, payloadOk: recs.every((r) => r.payloadOk), stats: st });
      return;
    }
    case "open": {
      // Just try to open (for the error tests).
      try { AfPacketDevice.open(args.iface).close(); done({ ok: true }); }
      catch (e) { const err = e as { code?: string; message: string }; done({ ok: false, code: err.code, message: err.message }); }
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

if (isMain) main().catch((e) => { console.log(JSON.stringify({ fatal: String((e as Error).stack ?? e) })); process.exit(1); });
