// The state file (src/director/config-store.ts): the text is `ipvsadm -S -n` plus the thresholds and
// a --set line (expected lines written by hand from the spec's save format, §6.6); load() gives back
// what was saved and removes temporary files a crash left; a missing file is null, not empty.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigStore, formatState } from "../../src/director/config-store.ts";
import { parseRules } from "../../src/control/rules.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-store-"));

const TEXT = [
  "-A -t 10.0.0.1:80 -s wrr -p 120",
  "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -i -w 3 -x 100 -y 20 --tun-type gue --tun-port 6080 --tun-csum",
  "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -g -w 1",
  "-A -f 9 -6 -s sh -b sh-port",
  "-a -f 9 -6 -r [2001:db8::5]:0 -m -w 0",
  "--set 300 30 60",
].join("\n") + "\n";

test("state text: save format with thresholds and timeouts; load gives the same rules back", async () => {
  const rs = parseRules(TEXT, "t");
  assert.is(formatState(rs), TEXT);
  const store = new ConfigStore(path.join(tmp, "state"));
  assert.is(store.load(), null, "missing file: no configuration");
  await store.save(rs);
  assert.is(fs.statSync(store.file).mode & 0o777, 0o600);
  assert.is(formatState(store.load()!), TEXT);
});

test("load() removes temporary files a crash left (never renamed, never acknowledged)", async () => {
  const store = new ConfigStore(path.join(tmp, "state2"));
  await store.save(parseRules("-A -u 10.0.0.1:53 -s rr\n", "t"));
  fs.writeFileSync(path.join(tmp, ".state2.4242.7.tmp"), "-A -u 10.0.0.1:53 -s r");
  fs.writeFileSync(path.join(tmp, ".other.1.1.tmp"), "not ours");
  assert.is(formatState(store.load()!), "-A -u 10.0.0.1:53 -s rr\n");
  assert.not.ok(fs.existsSync(path.join(tmp, ".state2.4242.7.tmp")));
  assert.ok(fs.existsSync(path.join(tmp, ".other.1.1.tmp")), "other files' temporaries left alone");
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
