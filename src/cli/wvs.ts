// The `wvs` command: subcommand dispatch and error reporting. Errors the user can fix (usage, rules,
// captures) print one clear line and exit 2 (usage/rules) or 1 (capture); anything else is a bug.
import { replayCommand } from "./replay.ts";
import { UsageError } from "./args.ts";
import { RulesError } from "../control/errors.ts";
import { CaptureError } from "../io/capture-reader.ts";
import { CaptureFileError } from "../io/capture-file.ts";
import { EngineError } from "../engine/engine.ts";

const USAGE = `usage: wvs <command> [options]
commands:
  replay <capture> --rules <file> [--out <capture>] [--json] [--reflect] [--limit N]
  replay <capture> --compare <rulesA> <rulesB> [--json] [--reflect] [--limit N]
         [--sysctl NAME=VALUE]... [--sysctl-file <file>]
  adm ARGS            the ipvsadm-compatible command (same as wvsadm; --rules F | --socket PATH)
  proc ip_vs|ip_vs_conn|ip_vs_stats [--rules F | --socket PATH]   the kernel's /proc/net views
  sysctl [-n] [-q] [--sysctl-file F] (-a | KEY... | -w KEY=VALUE...)   the net.ipv4.vs sysctls
  director (--rules <file> | --state <file>) [--socket PATH] [--metrics ADDR:PORT] [--iface NAME]...
         [--take-forwarding] [--no-vip-arp] [--stats-every N] [--sysctl NAME=VALUE]... [--sysctl-file <file>]
         [--workers N] [--tx-ring SLOTS] [--qdisc-bypass] [--[no-]drop-vip-input]   the live director (AF_PACKET, root); N > 1: engines in
         worker threads (fanout by client); --tx-ring: transmit through a TPACKET ring of that many slots per interface (default 512; 0 = sendmmsg)
  blast <capture> --iface NAME [--pps N | --topspeed] [--loop N] [--batch N] [--max-seconds S] [--json]
         replay a capture's frames onto an interface, like tcpreplay (AF_PACKET, root)
  web [--port P] [--host ADDR] [--capture F --rules R [--reflect] [--sysctl-file S] [--avail-pages A]]
      [--director SOCKET]
         the page: the engine in the browser, replaying a capture or following a director`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "replay": return await replayCommand(rest);
      case "sysctl": { const { sysctlCommand } = await import("./sysctl.ts"); return await sysctlCommand(rest); }
      case "blast": { const { blastCommand } = await import("./blast.ts"); return await blastCommand(rest); }
      case "director": { const { directorCommand } = await import("./director.ts"); return await directorCommand(rest); }
      case "proc": { const { procCommand } = await import("./proc.ts"); return await procCommand(rest); }
      case "web": { const { webCommand } = await import("./web.ts"); return await webCommand(rest); }
      case "adm": { const { main: adm } = await import("./adm.ts"); return await adm(rest); }
      case undefined: case "-h": case "--help": process.stdout.write(USAGE + "\n"); return cmd ? 0 : 2;
      default: throw new UsageError(`unknown command '${cmd}'\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof RulesError || e instanceof EngineError) {
      process.stderr.write(`wvs: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CaptureError || e instanceof CaptureFileError) {
      process.stderr.write(`wvs: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
