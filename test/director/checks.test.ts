// Start-up checks that need no host state (src/director/checks.ts): tunnel dests of a type the engine
// does not encapsulate (gue, gre) are reported by name; ipip and other forwarding methods are not.
// The checks that read the host (forwarding, routes, offloads) are exercised by the live tests.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRules } from "../../src/control/rules.ts";
import { checkTunnels, type CheckResult } from "../../src/director/checks.ts";

test("gue and gre tunnel dests are reported as sent IP-in-IP; ipip, masq and droute are not", () => {
  const rules = parseRules([
    "-A -t 10.0.0.1:80 -s rr",
    "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -i --tun-type gue --tun-port 6080",
    "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -i --tun-type gre",
    "-a -t 10.0.0.1:80 -r 10.1.0.3:80 -i",
    "-a -t 10.0.0.1:80 -r 10.1.0.4:80 -m",
    "-a -t 10.0.0.1:80 -r 10.1.0.5:80 -g",
  ].join("\n") + "\n", "t.rules");
  const out: CheckResult = { warnings: [], notes: [] };
  checkTunnels(rules, out);
  assert.equal(out.warnings, [
    "real server 10.1.0.1: --tun-type gue is not encapsulated by the engine yet; its frames go out as IP-in-IP",
    "real server 10.1.0.2: --tun-type gre is not encapsulated by the engine yet; its frames go out as IP-in-IP",
  ]);
});

test.run();
