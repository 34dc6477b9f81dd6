// SCTP state transition tables of IPVS (net/netfilter/ipvs/ip_vs_proto_sctp.c sctp_states), as data:
// next = SCTP_STATE_TABLE[direction][event][current state], directions INPUT / OUTPUT / INPUT_ONLY,
// events DATA INIT INIT_ACK COOKIE_ECHO COOKIE_ACK SHUTDOWN SHUTDOWN_ACK SHUTDOWN_COMPLETE ERROR ABORT.
// Each line is one (direction, event) column of ipvs-dataplane.md §4.2 over the 14 states in order
// NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL. test/engine/sctp-states.test.ts checks every cell.
const NO: u8 = 0; const I1: u8 = 1; const IN: u8 = 2; const CS: u8 = 3; const CR: u8 = 4; const CW: u8 = 5;
const CO: u8 = 6; const CE: u8 = 7; const ES: u8 = 8; const SS: u8 = 9; const SR: u8 = 10; const SA: u8 = 11;
const RJ: u8 = 12; const CL: u8 = 13;

export const SCTP_S_ESTABLISHED: u32 = 8;
export const SCTP_S_CLOSED: u32 = 13;

// prettier-ignore
export const SCTP_STATE_TABLE = memory.data<u8>([
  /* INPUT      DATA              */ ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT      INIT              */ I1, IN, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, IN, IN,
  /* INPUT      INIT_ACK          */ CW, CW, CW, CS, CR, CO, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT      COOKIE_ECHO       */ CR, IN, IN, CR, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT      COOKIE_ACK        */ ES, I1, IN, CS, CR, CW, CO, ES, ES, SS, SR, SA, RJ, CL,
  /* INPUT      SHUTDOWN          */ SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL,
  /* INPUT      SHUTDOWN_ACK      */ CL, IN, IN, CS, CR, CW, CO, CE, ES, CL, SR, CL, RJ, CL,
  /* INPUT      SHUTDOWN_COMPLETE */ CL, CL, CL, CS, CR, CW, CO, CE, ES, SS, SR, CL, RJ, CL,
  /* INPUT      ERROR             */ CL, I1, IN, CS, CR, CW, CO, CL, ES, SS, SR, SA, RJ, CL,
  /* INPUT      ABORT             */ CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL,
  /* OUTPUT     DATA              */ ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     INIT              */ CW, CW, CW, CW, CW, CW, CW, CW, ES, CW, CW, CW, CW, CW,
  /* OUTPUT     INIT_ACK          */ CS, CS, CS, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     COOKIE_ECHO       */ CE, CE, CE, CE, CE, CE, CE, CE, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     COOKIE_ACK        */ ES, ES, ES, ES, ES, ES, ES, ES, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     SHUTDOWN          */ SS, SS, SS, SS, SS, SS, SS, SS, SS, SS, SR, SA, RJ, CL,
  /* OUTPUT     SHUTDOWN_ACK      */ SA, SA, SA, SA, SA, CW, CO, CE, ES, SA, SA, SA, RJ, CL,
  /* OUTPUT     SHUTDOWN_COMPLETE */ CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     ERROR             */ CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* OUTPUT     ABORT             */ CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL,
  /* INPUT_ONLY DATA              */ ES, I1, IN, CS, CR, ES, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY INIT              */ I1, IN, IN, IN, IN, IN, CO, CE, ES, SS, SR, SA, IN, IN,
  /* INPUT_ONLY INIT_ACK          */ CE, CE, CE, CE, CE, CE, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY COOKIE_ECHO       */ ES, ES, ES, ES, ES, ES, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY COOKIE_ACK        */ ES, I1, IN, ES, ES, CW, ES, ES, ES, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY SHUTDOWN          */ SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY SHUTDOWN_ACK      */ CL, IN, IN, CS, CR, CW, CO, CE, CL, CL, SR, CL, RJ, CL,
  /* INPUT_ONLY SHUTDOWN_COMPLETE */ CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, CL, CL, RJ, CL,
  /* INPUT_ONLY ERROR             */ CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL,
  /* INPUT_ONLY ABORT             */ CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL
]);
