// Child process for test/net/blast.test.ts, run inside a test network namespace with
// `ip netns exec NS node --import tsx test/net/blast-child.ts JSON`. Opens an AF_PACKET socket on
// args.iface (raw addon, no engine), prints "READY", then records the 4-byte sequence number after the
// Ethernet header of every frame of EtherType args.ethertype until args.expect of them arrived or
// args.ms passed, and prints one JSON line { seqs, other }. Bounded in count and time; never sends.
import { pathToFileURL } from "node:url";
import { nativeAddon } from "../../src/native/addon.ts";

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as { iface: string; ethertype: number; expect: number; ms: number };
  const addon = nativeAddon()!;
  const h = addon.openSocket(args.iface, { blockSize: 1 << 20, blockCount: 8, retireMs: 2 });
  const u8 = new Uint8Array(1 << 20), desc = new Uint32Array(3 * 1024);
  const seqs: number[] = [];
  let other = 0;
  const drain = () => {
    for (let guard = 0; guard < 10000; guard++) {
      const n = addon.rxInto(h, u8, { base: 0, cursor: 0, headroom: 0, limit: u8.length, maxFrames: 1024 }, desc);
      for (let i = 0; i < n; i++) {
        const o = desc[3 * i], len = desc[3 * i + 1];
        if (len >= 18 && ((u8[o + 12] << 8) | u8[o + 13]) === args.ethertype) {
          seqs.push(((u8[o + 14] << 24) | (u8[o + 15] << 16) | (u8[o + 16] << 8) | u8[o + 17]) >>> 0);
        } else other++;
      }
      if (n === 0) break;
    }
  };
  console.log("READY");
  const until = Date.now() + args.ms;
  while (seqs.length < args.expect && Date.now() < until) {
    drain();
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 50));     // anything beyond `expect` would show up here
  drain();
  addon.close(h);
  console.log(JSON.stringify({ seqs, other }));
}

if (isMain) await main();
