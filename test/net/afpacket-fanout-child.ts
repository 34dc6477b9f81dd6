// Child of afpacket-fanout.test.ts, run with `ip netns exec` in the test's namespace (veth va <-> vb):
// two sockets on va in one PACKET_FANOUT_CBPF group, frames sent on vb, counted per socket; prints
// one JSON line. Programs: "ret #k" (one sock_filter record, host order).
import { nativeAddon } from "../../src/native/addon.ts";

const a = nativeAddon()!;
const ret = (k: number) => { const b = new Uint8Array(8), dv = new DataView(b.buffer); const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1; dv.setUint16(0, 0x06, le); dv.setUint32(4, k, le); return b; };
const group = 4000 + (process.pid & 0xfff);
const u8 = new Uint8Array(1 << 20), desc = new Uint32Array(3 * 4096);
const layout = { base: 0, cursor: 0, headroom: 0, limit: u8.length, maxFrames: 4096 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const s0 = a.openSocket("va", { fanoutGroup: group, fanoutMode: "cbpf", fanoutProgram: ret(1) });
const s1 = a.openSocket("va", { fanoutGroup: group, fanoutMode: "cbpf" });
const txB = a.openSocket("vb", { blockSize: 4096, blockCount: 1, frameSize: 2048 });
const txA = a.openSocket("va", { blockSize: 4096, blockCount: 1, frameSize: 2048 });
const N = 50;
const frames = new Uint8Array(64 * N), offs = new Uint32Array(N), lens = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  frames.set([0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b, 0x88, 0xb5, i], 64 * i);
  offs[i] = 64 * i; lens[i] = 60;
}
/** Our test frames (EtherType 0x88b5) read from each member; the kernel's own frames (ND...) are not counted. */
const drain = () => [s0, s1].map((s) => {
  let n = 0, k;
  while ((k = a.rxInto(s, u8, layout, desc)) > 0) for (let i = 0; i < k; i++) if (u8[desc[3 * i] + 12] === 0x88 && u8[desc[3 * i] + 13] === 0xb5) n++;
  return n;
});

async function phase(tx: typeof txA): Promise<number[]> {
  drain();
  a.sendBatch(tx, frames, offs, lens, N);
  await sleep(100);
  return drain();
}

const out: Record<string, unknown> = {};
out.ret1 = await phase(txB);
a.setFanoutProgram(s1, ret(0));
out.ret0 = await phase(txB);
a.setFanoutProgram(s0, ret(3));                 // 3 % 2 members = 1
out.ret3 = await phase(txB);
out.outgoing = await phase(txA);               // sent on va itself: ignoreOutgoing (default) in a group
const bad = new Uint8Array(8);                  // one record, code 0 (ld #0) with no return: refused
try { a.setFanoutProgram(s0, bad); out.bad = "accepted"; } catch (e) { out.bad = (e as { code?: string }).code; }
try { a.setFanoutProgram(s0, new Uint8Array(5)); out.odd = "accepted"; } catch (e) { out.odd = (e as { code?: string }).code; }
for (const s of [s0, s1, txA, txB]) a.close(s);
console.log(JSON.stringify(out));
