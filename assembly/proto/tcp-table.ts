// TCP state transition tables of IPVS (net/netfilter/ipvs/ip_vs_proto_tcp.c: tcp_states and
// tcp_states_dos), as data: next = TABLE[table][direction][event][current state], tables NORMAL = 0 and
// SECURE (secure_tcp) = 1, directions INPUT / OUTPUT / INPUT_ONLY, events SYN / FIN / ACK / RST.
// Each line is one (direction, event) column of ipvs-dataplane.md §3.4, over the 11 states in order
// NO ES SS SR FW TW CL CW LA LI SA (NONE ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT TIME_WAIT CLOSE
// CLOSE_WAIT LAST_ACK LISTEN SYNACK). test/engine/tcp-states.test.ts checks every cell against the spec.
const NO: u8 = 0; const ES: u8 = 1; const SS: u8 = 2; const SR: u8 = 3; const FW: u8 = 4; const TW: u8 = 5;
const CL: u8 = 6; const CW: u8 = 7; const LA: u8 = 8; const LI: u8 = 9; const SA: u8 = 10;

export const TCP_TABLE_NORMAL: u32 = 0;
export const TCP_TABLE_SECURE: u32 = 1;

// prettier-ignore
export const TCP_STATE_TABLE = memory.data<u8>([
  /* normal INPUT      SYN */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR,
  /* normal INPUT      FIN */ CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW,
  /* normal INPUT      ACK */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
  /* normal INPUT      RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR,
  /* normal OUTPUT     SYN */ SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR,
  /* normal OUTPUT     FIN */ TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW,
  /* normal OUTPUT     ACK */ ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES,
  /* normal OUTPUT     RST */ CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL,
  /* normal INPUT_ONLY SYN */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR,
  /* normal INPUT_ONLY FIN */ CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW,
  /* normal INPUT_ONLY ACK */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
  /* normal INPUT_ONLY RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL,
  /* secure INPUT      SYN */ SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA,
  /* secure INPUT      FIN */ CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA,
  /* secure INPUT      ACK */ ES, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA,
  /* secure INPUT      RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL,
  /* secure OUTPUT     SYN */ SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA,
  /* secure OUTPUT     FIN */ TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW,
  /* secure OUTPUT     ACK */ ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES,
  /* secure OUTPUT     RST */ CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL,
  /* secure INPUT_ONLY SYN */ SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA,
  /* secure INPUT_ONLY FIN */ CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW,
  /* secure INPUT_ONLY ACK */ ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES,
  /* secure INPUT_ONLY RST */ CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL
]);
