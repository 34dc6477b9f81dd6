// The offline wvsadm target: a rules file changed only by accepted commands, written atomically,
// created by the first change, untouched by refused ones; -S -n of a file restored with -R into a
// new file gives the same file byte for byte (issue 6); mark lines and --set survive rewrites.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runAdm } from "../../src/control/adm-run.ts";
import { RulesFileTarget } from "../../src/control/rules-file-target.ts";
import { parseRules } from "../../src/control/rules.ts";
import { run } from "./mem-target.ts";
import { RICH_COMMANDS } from "./rich-rules.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wvsadm-${process.pid}-`));
const file = (n: string) => path.join(dir, n);
const adm = (f: string, argv: string[], stdin = "") => run(runAdm, new RulesFileTarget(f), argv, stdin);

test("a missing file lists empty and is not created by a listing; the first change creates it", async () => {
  const f = file("new.rules");
  const r = await adm(f, ["-L", "-n"]);
  assert.is(r.out, "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
  assert.not.ok(fs.existsSync(f));
  assert.is((await adm(f, ["-A", "-t", "10.0.0.1:80"])).code, 0);
  assert.is(fs.readFileSync(f, "utf8"), "-A -t 10.0.0.1:80 -s wlc\n");
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")), [], "no temp file left");
});

test("round trip: -S -n of a rich file restored with -R gives the same -S -n; the files differ only by thresholds -S does not save", async () => {
  const f = file("F.rules"), g = file("G.rules");
  for (const line of RICH_COMMANDS) {
    const r = await adm(f, line.split(" "));
    assert.is(r.code, 0, `${line}: ${r.err}`);
  }
  const saved = await adm(f, ["-S", "-n"]);
  assert.is(saved.code, 0);
  const r = await adm(g, ["-R"], saved.out);
  assert.equal([r.code, r.err], [0, ""]);
  assert.is((await adm(g, ["-S", "-n"])).out, saved.out);
  // ipvsadm -S does not save thresholds (ipvs-control.md §6.6); the rules file keeps them
  assert.not.ok(saved.out.includes(" -x "));
  assert.is(fs.readFileSync(g, "utf8"), fs.readFileSync(f, "utf8").replace(/ -x \d+ -y \d+/g, ""));
  // and the file reads back as the same configuration the commands built
  assert.is(parseRules(fs.readFileSync(g, "utf8"), "G").services.length, parseRules(fs.readFileSync(f, "utf8"), "F").services.length);
  assert.ok(fs.readFileSync(f, "utf8").includes("-a -t 192.168.10.100:80 -r 10.0.0.12:8080 -m -w 0 -x 500 -y 100\n"));
});

test("a refused command leaves the file byte-identical (validation, kernel error, -R with one bad line)", async () => {
  const f = file("F.rules");
  const before = fs.readFileSync(f);
  for (const [argv, stdin] of [
    [["-A", "-t", "192.168.10.100:80"], ""], [["-a", "-t", "10.9.9.9:80", "-r", "10.0.0.1"], ""],
    [["-A", "-t", "1.2.3.4:80", "-w", "1"], ""], [["-R"], "-C\n-A -t 1.1.1.1:80\n-A -t 1.1.1.1:80\n"],
    [["-R"], "-C\n-A -t 1.1.1.1:80 -s\n"], [["--bogus"], ""],
  ] as [string[], string][]) {
    const r = await adm(f, argv, stdin);
    assert.is.not(r.code, 0, argv.join(" "));
    assert.ok(fs.readFileSync(f).equals(before), `${argv.join(" ")} changed the file`);
  }
});

test("--set is kept in the file after the rules and shown by -L --timeout; -S leaves it out", async () => {
  const f = file("T.rules");
  await adm(f, ["-A", "-u", "10.0.0.1:53"]);
  await adm(f, ["--set", "100", "0", "20"]);
  assert.is(fs.readFileSync(f, "utf8"), "-A -u 10.0.0.1:53 -s wlc\n--set 100 0 20\n");
  assert.is((await adm(f, ["-L", "--timeout"])).out, "Timeout (tcp tcpfin udp): 100 120 20\n");
  assert.is((await adm(f, ["-S", "-n"])).out, "-A -u 10.0.0.1:53 -s wlc\n");
  await adm(f, ["-C"]);
  assert.is(fs.readFileSync(f, "utf8"), "--set 100 0 20\n");
});

test("iptables mark lines of a replay rules file survive a rewrite", async () => {
  const f = file("M.rules");
  const mark = "iptables -t mangle -A PREROUTING -d 10.0.0.1 -p tcp --dport 80 -j MARK --set-mark 1";
  fs.writeFileSync(f, `${mark}\n-A -f 1 -s rr\n`);
  await adm(f, ["-a", "-f", "1", "-r", "10.1.0.1", "-m"]);
  assert.is(fs.readFileSync(f, "utf8"), `${mark}\n-A -f 1 -s rr\n-a -f 1 -r 10.1.0.1:0 -m -w 1\n`);
});

test("a rewrite keeps the file's mode", async () => {
  const f = file("mode.rules");
  fs.writeFileSync(f, "-A -t 10.0.0.1:80 -s rr\n", { mode: 0o600 });
  fs.chmodSync(f, 0o600);
  await adm(f, ["-A", "-t", "10.0.0.2:80"]);
  assert.is(fs.statSync(f).mode & 0o777, 0o600);
});

test("a bad rules file is a RulesError naming its line", () => {
  const f = file("bad.rules");
  fs.writeFileSync(f, "-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80 -s nope\n");
  assert.throws(() => new RulesFileTarget(f), /bad\.rules:2: Service already exists/);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
