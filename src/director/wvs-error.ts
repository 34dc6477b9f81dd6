// The library API's error (director/api.ts): a message as ipvsadm or the director words it and a
// stable `code` to branch on. Codes:
//   EEXIST            the service or real server already exists
//   ESRCH_SERVICE     no such service
//   ENOENT_DEST       no such real server in that service
//   ENOENT_SCHEDULER  unknown scheduler or persistence engine
//   ERANGE            lower threshold above the upper one
//   EINVAL            invalid argument (address, port, weight, option combination, wrong type, ...)
//   EENGINE           the engine refused the change (table full, ...); nothing changed
//   EIO               the state file could not be written; the change was undone
//   ESTATE            the state file exists but cannot be read or parsed
//   ESOCKET           the control socket cannot be created (e.g. another director holds it)
//   EMETRICS          the metrics endpoint cannot be served (bad ADDR:PORT, address in use)
//   EIFACE            an interface cannot be opened for AF_PACKET
//   EVIPDROP          vipInputDrop: the nftables table cannot be installed (no nft, no netdev ingress support)
//   ECLOSED           the director was closed
// Browser-safe.
import { LineError } from "../control/errors.ts";

export type WvsErrorCode =
  | "EEXIST" | "ESRCH_SERVICE" | "ENOENT_DEST" | "ENOENT_SCHEDULER" | "ERANGE" | "EINVAL"
  | "EENGINE" | "EIO" | "ESTATE" | "ESOCKET" | "EMETRICS" | "EIFACE" | "EVIPDROP" | "ECLOSED";

export class WvsError extends Error {
  constructor(readonly code: WvsErrorCode, message: string) { super(message); this.name = "WvsError"; }
}

const BY_MESSAGE: Record<string, WvsErrorCode> = {
  "Service already exists": "EEXIST", "Destination already exists": "EEXIST",
  "No such service": "ESRCH_SERVICE", "Service not defined": "ESRCH_SERVICE",
  "No such destination": "ENOENT_DEST",
  "Scheduler or persistence engine not found": "ENOENT_SCHEDULER",
  "Numerical result out of range": "ERANGE",
};

/** The WvsError for a LineError (kernel-style message, or the parser's validation message). */
export function fromLineError(e: LineError): WvsError {
  if (e.name === "EngineRefusal") return new WvsError("EENGINE", e.message);
  if (e.name === "SaveError") return new WvsError("EIO", e.message);
  return new WvsError(BY_MESSAGE[e.message] ?? "EINVAL", e.message);
}
