// update_defense_level (net/netfilter/ipvs/ip_vs_ctl.c; control §3.3) as a pure step over a state
// object: given the available memory in pages it applies the 0..3 mode machine of drop_entry,
// drop_packet and secure_tcp, rewriting 1 -> 2 when memory runs short and 2 -> 1 when it is back,
// and returns what the data plane must be told:
//   drop_entry  -> dropEntryActive (the 1-second worker then calls ip_vs_random_dropentry);
//   drop_packet -> dropRate, and resetCounter when the kernel also sets drop_counter (auto modes
//                  while nomem: rate = counter = amemthresh / (amemthresh - availmem)); mode 0 and
//                  auto without nomem give rate 0, mode 3 gives am_droprate, both leave the counter;
//   secure_tcp  -> secureTcpChange (true / false) only on a transition of the effective value
//                  (value >= 2) against old_secure_tcp, which is set to the new value every step.
// amemthresh is max(sysctl_amemthresh, 0); nomem = availmem < amemthresh. Browser-safe.
import type { DefenseVars } from "./vars.ts";

export interface DefenseState {
  /** The sysctl record; the mode fields are rewritten 1 <-> 2 here. */
  vars: DefenseVars;
  /** atomic dropentry flag. */
  dropEntryActive: boolean;
  /** ipvs->drop_rate and ipvs->drop_counter as this machine last set them. */
  dropRate: number;
  dropCounter: number;
  /** ipvs->old_secure_tcp. */
  oldSecureTcp: number;
}

export interface DefenseStep {
  availmem: number;
  amemthresh: number;
  nomem: boolean;
  dropEntryActive: boolean;
  dropRate: number;
  /** drop_counter was set to dropRate (auto modes under nomem). */
  resetCounter: boolean;
  /** null: no change; true/false: ip_vs_protocol_timeout_change(on). */
  secureTcpChange: boolean | null;
}

export function newDefenseState(vars: DefenseVars): DefenseState {
  return { vars, dropEntryActive: false, dropRate: 0, dropCounter: 0, oldSecureTcp: 0 };
}

/** C int division truncates toward zero; results are ints. */
const idiv = (a: number, b: number) => Math.trunc(a / b) | 0;

export function updateDefenseLevel(s: DefenseState, availmem: number): DefenseStep {
  const v = s.vars;
  availmem = Math.trunc(availmem);
  const amemthresh = Math.max(v.amemthresh | 0, 0);
  const nomem = availmem < amemthresh;
  let resetCounter = false;

  switch (v.drop_entry) {
    case 0: s.dropEntryActive = false; break;
    case 1:
      if (nomem) { s.dropEntryActive = true; v.drop_entry = 2; } else s.dropEntryActive = false;
      break;
    case 2:
      if (nomem) s.dropEntryActive = true; else { s.dropEntryActive = false; v.drop_entry = 1; }
      break;
    case 3: s.dropEntryActive = true; break;
  }

  switch (v.drop_packet) {
    case 0: s.dropRate = 0; break;
    case 1:
      if (nomem) { s.dropRate = s.dropCounter = idiv(amemthresh, amemthresh - availmem); resetCounter = true; v.drop_packet = 2; }
      else s.dropRate = 0;
      break;
    case 2:
      if (nomem) { s.dropRate = s.dropCounter = idiv(amemthresh, amemthresh - availmem); resetCounter = true; }
      else { s.dropRate = 0; v.drop_packet = 1; }
      break;
    case 3: s.dropRate = v.am_droprate | 0; break;
  }

  let toChange = -1;
  switch (v.secure_tcp) {
    case 0: if (s.oldSecureTcp >= 2) toChange = 0; break;
    case 1:
      if (nomem) { if (s.oldSecureTcp < 2) toChange = 1; v.secure_tcp = 2; }
      else if (s.oldSecureTcp >= 2) toChange = 0;
      break;
    case 2:
      if (nomem) { if (s.oldSecureTcp < 2) toChange = 1; }
      else { if (s.oldSecureTcp >= 2) toChange = 0; v.secure_tcp = 1; }
      break;
    case 3: if (s.oldSecureTcp < 2) toChange = 1; break;
  }
  s.oldSecureTcp = v.secure_tcp;
  const secureTcpChange = toChange >= 0 ? v.secure_tcp > 1 : null;

  return { availmem, amemthresh, nomem, dropEntryActive: s.dropEntryActive, dropRate: s.dropRate, resetCounter, secureTcpChange };
}
