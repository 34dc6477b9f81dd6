// The Prometheus endpoint (src/director/metrics*.ts): the demo capture is replayed into a library
// Director's engine (NAT replies reflected), /metrics is fetched over HTTP and read with a parser
// written here from the text exposition format 0.0.4 rules (HELP/TYPE lines, one TYPE per family
// before its samples, families contiguous, label value escapes \\ \" \n, no duplicate series). The
// per-service counters are checked against what tshark counts in the capture (connections = client
// SYNs / UDP client ports, packets and L3 bytes per direction), not against the metrics code.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { Director } from "../../src/director/api.ts";
import { formatMetrics } from "../../src/director/metrics.ts";
import { serveMetrics } from "../../src/director/metrics-http.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { parseRules } from "../../src/control/rules.ts";
import type { DirectorStatus } from "../../src/control/target.ts";
import { root } from "../helpers/paths.ts";
import { haveTshark, tsharkFields } from "../helpers/tshark.ts";
import { skipSuite } from "../helpers/skip.ts";

interface Series { name: string; labels: Record<string, string>; value: number }
interface Exposition { types: Map<string, string>; help: Map<string, string>; series: Series[] }

/** Text format 0.0.4 reader; throws on anything the format does not allow. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>(), help = new Map<string, string>(), series: Series[] = [];
  const seen = new Set<string>(), closed = new Set<string>();
  let current = "";
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const enter = (name: string) => {
    if (name !== current) { if (closed.has(name)) throw new Error(`family ${name} is not contiguous`); if (current) closed.add(current); current = name; }
  };
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue;                                          // other comments are allowed
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
      enter(name);
      if (kind === "TYPE") {
        if (types.has(name)) throw new Error(`second TYPE for ${name}`);
        if (series.some((s) => s.name === name)) throw new Error(`TYPE after samples of ${name}`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) throw new Error(`bad type ${rest}`);
        types.set(name, rest);
      } else help.set(name, rest.replace(/\\(\\|n)/g, (_, c) => (c === "n" ? "\n" : "\\")));
      continue;
    }
    if (line.trim() === "") continue;
    let i = 0;
    while (i < line.length && line[i] !== "{" && line[i] !== " ") i++;
    const name = line.slice(0, i);
    if (!NAME.test(name)) throw new Error(`bad metric name in ${line}`);
    const labels: Record<string, string> = {};
    if (line[i] === "{") {
      i++;
      while (line[i] !== "}") {
        let j = i; while (line[j] !== "=") { if (j >= line.length) throw new Error(`unterminated labels: ${line}`); j++; }
        const ln = line.slice(i, j).trim();
        if (!LABEL.test(ln)) throw new Error(`bad label name ${ln}`);
        if (line[j + 1] !== "\"") throw new Error(`label value not quoted: ${line}`);
        let v = "", k = j + 2;
        for (; line[k] !== "\""; k++) {
          if (k >= line.length) throw new Error(`unterminated label value: ${line}`);
          if (line[k] === "\\") { k++; const c = line[k]; if (c === "n") v += "\n"; else if (c === "\\" || c === "\"") v += c; else throw new Error(`bad escape \\${c}`); }
          else v += line[k];
        }
        if (ln in labels) throw new Error(`label ${ln} twice`);
        labels[ln] = v;
        i = k + 1;
        if (line[i] === ",") i++;
      }
      i++;
    }
    const parts = line.slice(i).trim().split(/ +/);
    if (parts.length < 1 || parts.length > 2) throw new Error(`bad sample ${line}`);
    const value = parts[0] === "NaN" ? NaN : parts[0] === "+Inf" ? Infinity : parts[0] === "-Inf" ? -Infinity : Number(parts[0]);
    if (parts[0] === "" || (Number.isNaN(value) && parts[0] !== "NaN")) throw new Error(`bad value ${line}`);
    enter(name);
    if (!types.has(name)) throw new Error(`sample of ${name} before its TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series ${line}`);
    seen.add(key);
    series.push({ name, labels, value });
  }
  for (const n of types.keys()) if (!help.has(n)) throw new Error(`no HELP for ${n}`);
  return { types, help, series };
}

const one = (e: Exposition, name: string, labels: Record<string, string> = {}) => {
  const hits = e.series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${hits.length} series`);
  return hits[0].value;
};

/** What the capture holds per service, counted by tshark. */
function captureCounts(file: string) {
  const rows = tsharkFields(file, ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.len", "ipv6.plen", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags.syn", "tcp.flags.ack"]);
  const svc = new Map<string, { conns: number; inpkts: number; inbytes: number; outpkts: number; outbytes: number; udpClients: Set<string> }>();
  const get = (k: string) => svc.get(k) ?? svc.set(k, { conns: 0, inpkts: 0, inbytes: 0, outpkts: 0, outbytes: 0, udpClients: new Set() }).get(k)!;
  for (const [s4, d4, s6, d6, len4, plen6, ts, td, us, ud, syn, ack] of rows) {
    const src = s4 || s6, dst = d4 || d6, len = len4 ? Number(len4) : Number(plen6) + 40;
    const proto = ts ? "TCP" : us ? "UDP" : "";
    if (!proto) continue;
    const sport = ts || us, dport = td || ud;
    const ep = (a: string, p: string) => (a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`);
    const inKey = `${proto} ${ep(dst, dport)}`, outKey = `${proto} ${ep(src, sport)}`;
    if (dst === "10.0.0.100" || dst === "2001:db8::100") {
      const c = get(inKey); c.inpkts++; c.inbytes += len;
      if (proto === "TCP" && syn === "1" && ack === "0") c.conns++;
      if (proto === "UDP") c.udpClients.add(ep(src, sport));
    } else if (src === "10.0.0.100" || src === "2001:db8::100") {
      const c = get(outKey); c.outpkts++; c.outbytes += len;
    }
  }
  for (const c of svc.values()) if (c.udpClients.size) c.conns = c.udpClients.size;
  return svc;
}

if (!haveTshark) skipSuite("metrics", "tshark not installed (the independent oracle for the capture's content)");
else {
  test("GET /metrics after replaying the demo capture: format valid, counters as tshark counts them", async () => {
    const cap = path.join(root, "fixtures/captures/demo.pcap");
    const rulesText = fs.readFileSync(path.join(root, "fixtures/rules/demo.rules"), "utf8");
    const d = await Director.start({ rules: rulesText, engine: { conns: 4096 }, metrics: "127.0.0.1:0" });
    try {
      const r = replayCapture(d.engine, new Uint8Array(fs.readFileSync(cap)), "demo.pcap", parseRules(rulesText, "demo.rules"), { reflect: true });
      assert.ok(r.packets > 0);
      const port = (d.metrics!.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.is(res.status, 200);
      assert.is(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const e = parseExposition(await res.text());
      const expected = captureCounts(cap);
      assert.equal([...expected.keys()].sort(), ["TCP 10.0.0.100:80", "TCP [2001:db8::100]:80", "UDP 10.0.0.100:53"]);
      let totalIn = 0;
      for (const [service, c] of expected) {
        const got = {
          conns: one(e, "wvs_service_connections_total", { service }),
          inpkts: one(e, "wvs_service_packets_total", { service, direction: "in" }),
          inbytes: one(e, "wvs_service_bytes_total", { service, direction: "in" }),
          outpkts: one(e, "wvs_service_packets_total", { service, direction: "out" }),
          outbytes: one(e, "wvs_service_bytes_total", { service, direction: "out" }),
        };
        assert.equal(got, { conns: c.conns, inpkts: c.inpkts, inbytes: c.inbytes, outpkts: c.outpkts, outbytes: c.outbytes }, service);
        // the real servers of a service add up to it
        const dests = e.series.filter((s) => s.name === "wvs_real_server_connections_total" && s.labels.service === service);
        assert.ok(dests.length >= 2);
        assert.is(dests.reduce((n, s) => n + s.value, 0), c.conns, `${service}: real servers' conns`);
        totalIn += c.inpkts;
      }
      assert.is(one(e, "wvs_packets_total", { direction: "in" }), totalIn);
      assert.is(e.types.get("wvs_service_connections_total"), "counter");
      assert.is(e.types.get("wvs_real_server_active_connections"), "gauge");
      assert.is(one(e, "wvs_connection_table_capacity"), 4096);
      assert.is(one(e, "wvs_connection_table_entries"), d.engine.connCount());
      const byState = e.series.filter((s) => s.name === "wvs_connection_entries").reduce((n, s) => n + s.value, 0);
      assert.is(byState, d.engine.connCount(), "entries by state add up to the table fill");
      assert.is(one(e, "wvs_defense_mode", { mode: "drop_entry" }), 0);
      const nf = await fetch(`http://127.0.0.1:${port}/nope`);
      assert.is(nf.status, 404);
    } finally { await d.close(); }
  });
}

test("label values and HELP text are escaped so a reader gets them back", () => {
  const st: DirectorStatus = {
    snapshot: { connTabSize: 4096, services: [] },
    totals: { conns: 1, inpkts: 2, outpkts: 3, inbytes: 4, outbytes: 5, rates: { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 } },
    conns: { total: 0, capacity: 4096, byState: {} },
    drops: { "odd \"reason\"\\with\nnewline": 7 },
    defense: { dropEntry: 0, dropPacket: 0, secureTcp: 0, dropRate: 0, availPages: 10 },
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 }, uptimeSecs: 5,
  };
  const e = parseExposition(formatMetrics(st));
  assert.is(one(e, "wvs_drops_total", { reason: "odd \"reason\"\\with\nnewline" }), 7);
  assert.is(one(e, "wvs_bytes_total", { direction: "out" }), 5);
  // the reader is strict: an unescaped quote is refused (so the check above can fail)
  assert.throws(() => parseExposition("# HELP x y\n# TYPE x gauge\nx{a=\"b\"c\"} 1\n"));
});

test("a status the formatter cannot read is a 500 with the reason, and the endpoint keeps serving", async () => {
  const server = await serveMetrics("127.0.0.1", 0, async () => ({}) as DirectorStatus);
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    for (let i = 0; i < 2; i++) {
      const r = await fetch(url);
      assert.is(r.status, 500);
      assert.match(await r.text(), /^status failed: /);
    }
  } finally { server.close(); }
});

test("a server error after start (accept failing) is logged, not an unhandled 'error' event", async () => {
  const logged: string[] = [];
  const server = await serveMetrics("127.0.0.1", 0, async () => ({}) as DirectorStatus, (l) => logged.push(l));
  try {
    server.emit("error", Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }));
    assert.equal(logged, ["metrics endpoint: accept EMFILE"]);
  } finally { server.close(); }
});

test.run();
