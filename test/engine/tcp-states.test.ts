// Every cell of the engine's TCP (normal and secure_tcp) and SCTP transition tables against the
// tables printed in ipvs-dataplane.md §3.4 and §4.2, read from the spec file at test time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { haveSpec, specTable } from "../helpers/spec-tables.ts";
import { skipSuite } from "../helpers/skip.ts";

const TCP_STATES = ["NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK"];
const TCP_EVENTS = ["SYN", "FIN", "ACK", "RST"];
const DIRS = ["INPUT", "OUTPUT", "INPUT_ONLY"];
const SCTP_STATES = ["NO", "I1", "IN", "CS", "CR", "CW", "CO", "CE", "ES", "SS", "SR", "SA", "RJ", "CL"];
const SCTP_EVENTS = ["DATA", "INIT", "INIT_ACK", "COOKIE_ECHO", "COOKIE_ACK", "SHUTDOWN", "SHUTDOWN_ACK", "SHUTDOWN_COMPLETE", "ERROR", "ABORT"];

if (!haveSpec) {
  skipSuite("state tables vs spec", "../shared/spec/ipvs-dataplane.md not present");
} else {
  const e = await loadEngine({ conns: 256 });
  const tables: [number, string][] = [[0, "tcp_states (normal)"], [1, "tcp_states_dos (secure_tcp)"]];
  for (const [t, key] of tables) {
    for (const [d, dir] of DIRS.entries()) {
      test(`TCP ${key} ${dir}: all 44 cells`, () => {
        const rows = specTable(`**${key} — ${dir} direction**`);
        assert.is(rows.length, 11);
        let checked = 0;
        for (const row of rows) {
          const cur = TCP_STATES.indexOf(row[0]);
          assert.ok(cur >= 0, `unknown state ${row[0]}`);
          for (const [ev, name] of TCP_EVENTS.entries()) {
            const want = TCP_STATES.indexOf(row[1 + ev]);
            const got = e.x.tcpNextState(t, d, ev, cur);
            assert.is(TCP_STATES[got], TCP_STATES[want], `${key} ${dir} ${row[0]} + ${name}`);
            checked++;
          }
        }
        assert.is(checked, 44);
      });
    }
  }
  for (const [d, dir] of DIRS.entries()) {
    test(`SCTP ${dir}: all 140 cells`, () => {
      const rows = specTable(`**SCTP ${dir}**`);
      assert.is(rows.length, 14);
      for (const row of rows) {
        const cur = SCTP_STATES.indexOf(row[0].split(" ")[0]);
        assert.ok(cur >= 0, `unknown state ${row[0]}`);
        for (const [ev, name] of SCTP_EVENTS.entries()) {
          const got = e.x.sctpNextState(d, ev, cur);
          assert.is(SCTP_STATES[got], row[1 + ev], `SCTP ${dir} ${row[0]} + ${name}`);
        }
      }
    });
  }
}

test.run();
