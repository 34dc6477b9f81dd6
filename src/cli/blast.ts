// `wvs blast <capture> --iface NAME [--pps N | --topspeed] [--loop N] [--batch N] [--max-seconds S] [--json]`:
// replays a capture's frames onto an interface (src/io/blast.ts), as `tcpreplay --topspeed` /
// `tcpreplay --pps N` do. Any supported link type is sent as Ethernet (src/io/linktype.ts). Prints
// packets sent, seconds, packets/s and the send error / EAGAIN counts (stdout; --json: one JSON line).
// Needs the native addon and CAP_NET_RAW; without them it says so and exits 1.
import { parseArgs, intOption, UsageError } from "./args.ts";
import { openCaptureFile } from "../io/capture-file.ts";
import { AfPacketError } from "../io/afpacket.ts";
import { blast, BlastError, loadFrames, openBlastDevice } from "../io/blast.ts";

const say = (l: string) => process.stderr.write(`wvs blast: ${l}\n`);

export async function blastCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ["topspeed", "json"], values: ["iface", "pps", "loop", "batch", "max-seconds"] });
  if (args.positional.length !== 1) throw new UsageError("blast needs exactly one capture file: wvs blast <capture> --iface NAME [--pps N | --topspeed] [--loop N]");
  const iface = args.values.get("iface");
  if (!iface) throw new UsageError("blast needs --iface NAME");
  const pps = intOption(args, "pps", 1, 100_000_000);
  if (pps !== undefined && args.flags.has("topspeed")) throw new UsageError("--pps and --topspeed exclude each other");
  const loop = intOption(args, "loop", 1, 1_000_000_000) ?? 1;
  const batch = intOption(args, "batch", 1, 4096);
  const maxSeconds = intOption(args, "max-seconds", 1, 86400);
  const file = args.positional[0];

  const frames = loadFrames(await openCaptureFile(file));
  for (const [why, n] of frames.skipped) say(`skipped ${n} packet(s) of ${file}: ${why}`);
  if (frames.count === 0) { say(`${file} has no packet that can be sent as Ethernet`); return 1; }

  let dev;
  try { dev = openBlastDevice(iface); }
  catch (e) {
    if (e instanceof AfPacketError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once("SIGINT", onSig);
  process.once("SIGTERM", onSig);
  try {
    const r = await blast(frames, dev, { pps, loop, batch, maxSeconds, signal: ac.signal });
    const kernelAgain = dev.stats().txAgain;
    if (args.flags.has("json")) {
      process.stdout.write(JSON.stringify({ iface, capture: file, framesPerLoop: frames.count, ...r, kernelAgain, skipped: Object.fromEntries(frames.skipped) }) + "\n");
    } else {
      const mbps = r.seconds > 0 ? (r.bytes * 8) / r.seconds / 1e6 : 0;
      process.stdout.write(
        `sent ${r.sent} packets (${r.bytes} bytes) in ${r.seconds.toFixed(3)} s on ${iface}: ${Math.round(r.pps)} packets/s, ${mbps.toFixed(1)} Mbit/s\n` +
        `loops ${r.loops} of ${loop} (${frames.count} frames each)${pps ? `, paced at ${pps} packets/s (late restarts ${r.late})` : ", top speed"}\n` +
        `send errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.errorCodes)}` : ""}, EAGAIN ${r.again} (socket queue full, retried)\n`);
    }
    if (r.stopped) say(`stopped early: ${r.stopped}`);
    return r.stopped.startsWith("no progress") ? 1 : 0;
  } catch (e) {
    if (e instanceof BlastError || e instanceof AfPacketError) { say(e.message); return 1; }
    throw e;
  } finally {
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
    dev.close();
  }
}
