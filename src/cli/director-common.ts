// What the single-engine director (director.ts) and the multi-worker one (director-workers.ts) share
// on the command line: the stderr prefix, the start-up checks printed as warnings/notes, the exit
// code of a start-up error, the `ipvsadm -L -n --stats` table they print (SIGUSR1, --stats-every, at
// stop), installing/removing the SIGUSR1/SIGHUP/SIGINT/SIGTERM handlers, and the VIP input drop mode.
import type { RuleSet, Snapshot } from "../control/model.ts";
import { formatList } from "../control/format-list.ts";
import type { RateEstimator } from "../stats/estimator.ts";
import { startupChecks } from "../director/checks.ts";
import { WvsError } from "../director/wvs-error.ts";
import { VIP_INPUT_TABLE } from "../director/vip-input-drop.ts";
import { UsageError, type Args } from "./args.ts";

export const say = (l: string) => process.stderr.write(`wvs director: ${l}\n`);

/**
 * The VIP input drop (director/vip-input-drop.ts): on by default where nftables can install it
 * ("auto"), --drop-vip-input insists on it (start fails without it), --no-drop-vip-input turns it off.
 */
export function vipInputDropMode(args: Args): boolean | "auto" {
  const on = args.flags.has("drop-vip-input"), off = args.flags.has("no-drop-vip-input");
  if (on && off) throw new UsageError("--drop-vip-input and --no-drop-vip-input contradict each other");
  return on ? true : off ? false : "auto";
}

/** The start-up note of an installed VIP input drop. */
export const vipInputDropNote = (ifaces: string[], taps: string) =>
  `note: VIP packets are dropped at the netdev ingress of ${ifaces.join(", ")} after ${taps}, so this namespace's kernel does not run IP input on them (nft table netdev ${VIP_INPUT_TABLE}, removed on exit; ARP and ICMPv6 untouched; --no-drop-vip-input turns this off)`;

/** The `ipvsadm -L -n --stats` table of `snap` with the estimator's rates. */
export function statsTable(estimator: RateEstimator, snap: Snapshot): string {
  return formatList(estimator.withRates(snap), { stats: true });
}

/** A beforeOpen hook that runs the start-up checks on the effective rules and prints them. */
export function printStartupChecks(ifaces: string[], takeForwarding: boolean, vipNeigh: boolean) {
  return async (effective: RuleSet): Promise<void> => {
    const checks = await startupChecks(effective, ifaces, takeForwarding, vipNeigh);
    for (const w of checks.warnings) say(`warning: ${w}`);
    for (const n of checks.notes) say(`note: ${n}`);
  };
}

/** Prints a WvsError from start-up and returns its exit code (2 for bad input/state, else 1); undefined for any other error. */
export function startErrorCode(e: unknown): number | undefined {
  if (!(e instanceof WvsError)) return undefined;
  process.stderr.write(`${e.message}\n`);
  return e.code === "EINVAL" || e.code === "ESTATE" ? 2 : 1;
}

export interface SignalHandlers { usr1: () => void; hup: () => void; stop: (sig: "SIGINT" | "SIGTERM") => void }

/** Installs the director's signal handlers; the returned function removes them all. */
export function onDirectorSignals(h: SignalHandlers): () => void {
  const onInt = () => h.stop("SIGINT"), onTerm = () => h.stop("SIGTERM");
  process.on("SIGUSR1", h.usr1); process.on("SIGHUP", h.hup);
  process.on("SIGINT", onInt); process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGUSR1", h.usr1); process.off("SIGHUP", h.hup);
    process.off("SIGINT", onInt); process.off("SIGTERM", onTerm);
  };
}
