// Errors of the rules-file parser. A `LineError` carries only the reason (worded as ipvsadm or
// iptables would word it); parseRules() turns it into a `RulesError` whose message is
// "FILE:LINE: reason". Parsing stops at the first error, so a rules file is applied whole or not at all.
// Browser-safe.

/** A rules-file error: `message` is `FILE:LINE: reason`. */
export class RulesError extends Error {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = "RulesError";
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** Thrown by the per-line parsers; carries the reason only (no file/line yet). */
export class LineError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "LineError";
  }
}

/**
 * A popt parse error ("--bogus: unknown option", "-t: missing argument"). ipvsadm answers it with
 * "Try `ipvsadm -h' or 'ipvsadm --help' for more information." and exit 255 instead of exit 2;
 * `atFirst` says the error hit the first option (ipvsadm then prints only the "Try" line).
 */
export class PoptError extends LineError {
  readonly atFirst: boolean;
  constructor(reason: string, atFirst: boolean) {
    super(reason);
    this.name = "PoptError";
    this.atFirst = atFirst;
  }
}

export function fail(reason: string): never {
  throw new LineError(reason);
}
