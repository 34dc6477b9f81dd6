// tshark as an independent oracle: presence check, a runner that drops the "running as root" notice,
// -T fields extraction with checksum verification switched on, and per-frame checksum verdicts.
import { spawnSync } from "node:child_process";

export const haveTshark = spawnSync("tshark", ["-v"], { encoding: "utf8" }).status === 0;

/** Preferences that make tshark verify every checksum it knows. */
export const TSHARK_PREFS = [
  "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
  "-o", "sctp.checksum:CRC-32C",
];

export function tshark(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const stderr = (r.stderr ?? "").split("\n").filter((l) => l.trim() !== "" && !/Running as user "root"/.test(l)).join("\n");
  return { status: r.status, stdout: r.stdout ?? "", stderr };
}

/** One row of field strings per frame (multiple occurrences joined by ","). */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ["-r", file, ...TSHARK_PREFS, ...extra, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"];
  for (const f of fields) args.push("-e", f);
  const r = tshark(args);
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.length > 0).map((l) => l.split("\t"));
}

const STATUS_FIELDS = ["ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "sctp.checksum.status",
  "icmp.checksum.status", "icmpv6.checksum.status", "_ws.malformed", "_ws.expert.message"];

export interface FrameCheck { bad: boolean; malformed: boolean; notes: string }

/**
 * Per frame: `bad` when tshark found any checksum Bad (status 0), `malformed` when it flagged the
 * frame malformed. Status 2 (not verified, e.g. UDP checksum 0) is not bad.
 */
export function tsharkChecks(file: string): FrameCheck[] {
  return tsharkFields(file, STATUS_FIELDS).map((row) => {
    const statuses = row.slice(0, 6).flatMap((c) => (c ? c.split(",") : []));
    const malformed = (row[6] ?? "") !== "" || /malformed/i.test(row[7] ?? "");
    return { bad: statuses.includes("0"), malformed, notes: row[7] ?? "" };
  });
}
