// A read-only AdmTarget over the director's control socket, for readers that need data rather than
// a wvsadm invocation (`wvs proc`): status() is `wvsadm -L --json`, conns() `wvsadm -L -c --json`,
// rules() `wvsadm -S -n` read back as a rules file. Changes are not made through it: wvsadm sends
// its whole invocation over the socket instead (socket-client.ts). Failures are LineErrors carrying
// the director's (or the client's) message.
import type { AdmTarget, ConnStatus, DirectorStatus } from "./target.ts";
import type { RuleSet } from "./model.ts";
import { admViaSocket } from "./socket-client.ts";
import { parseRules } from "./rules.ts";
import { fail } from "./errors.ts";

export class SocketTarget implements AdmTarget {
  readonly name: string;
  constructor(readonly path: string) { this.name = `director at ${path}`; }

  private async run(argv: string[]): Promise<string> {
    const r = await admViaSocket(this.path, argv);
    if (r.code !== 0) fail(r.stderr.trimEnd() || `${this.name}: exit ${r.code}`);
    return r.stdout;
  }

  private async json<T>(argv: string[]): Promise<T> {
    const text = await this.run(argv);
    try { return JSON.parse(text) as T; } catch { fail(`${this.name}: malformed JSON from '${argv.join(" ")}'`); }
  }

  status(): Promise<DirectorStatus> { return this.json(["-L", "--json"]); }
  conns(limit?: number): Promise<ConnStatus[]> { return this.json(["-L", "-c", "--json", ...(limit === undefined ? [] : ["--limit", String(limit)])]); }
  async rules(): Promise<RuleSet> { return parseRules(await this.run(["-S", "-n"]), this.name); }
  async apply(): Promise<void> { fail(`changes to the ${this.name} go through wvsadm`); }
  async zero(): Promise<void> { fail(`changes to the ${this.name} go through wvsadm`); }
}
