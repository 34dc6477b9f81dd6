// What the director reads about its network namespace: interfaces (/sys/class/net), their MACs and
// flags, and `ip -j` queries run asynchronously (never blocking the event loop). Node-only, Linux-only.
import fs from "node:fs";
import { execFile } from "node:child_process";

const IFF_UP = 0x1, IFF_LOOPBACK = 0x8;

export interface IfaceInfo { name: string; mac: string; up: boolean; loopback: boolean; mtu: number }

function readSys(name: string, file: string): string {
  try { return fs.readFileSync(`/sys/class/net/${name}/${file}`, "utf8").trim(); } catch { return ""; }
}

export function ifaceInfo(name: string): IfaceInfo | null {
  if (!fs.existsSync(`/sys/class/net/${name}`)) return null;
  const flags = parseInt(readSys(name, "flags") || "0", 16);
  return {
    name, mac: readSys(name, "address"), up: (flags & IFF_UP) !== 0,
    loopback: (flags & IFF_LOOPBACK) !== 0 || readSys(name, "type") === "772", mtu: Number(readSys(name, "mtu") || 1500),
  };
}

/** Every non-loopback interface that is up, with an Ethernet address, sorted by name. */
export function defaultIfaces(): string[] {
  let names: string[];
  try { names = fs.readdirSync("/sys/class/net"); } catch { return []; }
  return names.map(ifaceInfo).filter((i): i is IfaceInfo => !!i && i.up && !i.loopback && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(i.mac) && i.mac !== "00:00:00:00:00:00")
    .map((i) => i.name).sort();
}

/** Runs `ip -j ARGS` and parses its JSON; rejects with the command's stderr. */
export function ipJson(args: string[], timeoutMs = 3000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    execFile("ip", ["-j", ...args], { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`ip -j ${args.join(" ")}: ${(stderr || err.message).trim()}`)); return; }
      try { resolve(stdout.trim() ? JSON.parse(stdout) : []); } catch (e) { reject(new Error(`ip -j ${args.join(" ")}: bad JSON`)); }
    });
  });
}

/** Runs a command; resolves with { code, stdout, stderr } (code -1 when it cannot start). */
export function run(cmd: string, args: string[], timeoutMs = 3000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === "number" ? (err as any).code : -1) : 0;
      resolve({ code, stdout: stdout ?? "", stderr: code === -1 ? `${(err as any).code ?? ""} ${err!.message}` : stderr ?? "" });
    });
  });
}

/** Parses "aa:bb:cc:dd:ee:ff" into 6 bytes. */
export function macBytes(mac: string): Uint8Array {
  const b = new Uint8Array(6);
  mac.split(":").forEach((h, i) => { if (i < 6) b[i] = parseInt(h, 16); });
  return b;
}
