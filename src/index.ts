// The library entry (`import { ... } from "wvs"`): the engine and its Node loader, rules files and
// ipvsadm formats, capture replay, sysctls, the estimator and defense timers, capture I/O, the packet
// builder/decoder, and the live director: `Director` is the embeddable director (director/api.ts:
// typed changes, status, durable state, control socket, metrics), `PacketDirector` its AF_PACKET
// pump. Browser code imports the browser-safe modules directly
// (src/engine/engine.ts, src/replay/replay.ts, ...) instead, since this entry pulls in Node modules.
export { Engine, EngineError, SCHEDULER_IDS, type EngineOptions, type ConnInfo } from "./engine/engine.ts";
export { loadEngine, engineModule, ENGINE_WASM } from "./engine/load-node.ts";
export * as abi from "./engine/abi.ts";
export { parseRules, RulesError, matchMark } from "./control/rules.ts";
export { formatList } from "./control/format-list.ts";
export { formatSave } from "./control/format-save.ts";
export type * from "./control/model.ts";
export { SysctlSet, SysctlError, SYSCTLS } from "./control/sysctl.ts";
export { replayCapture, replayReader, ReplayRun, type ReplayOptions, type ReplayResult, type ReplayTimer } from "./replay/replay.ts";
export { RateEstimator } from "./stats/estimator.ts";
export { DefenseTimer, updateDefenseLevel, newDefenseState, defenseDefaults } from "./defense/index.ts";
export { openCapture, CaptureError, RecordBatch } from "./io/capture-reader.ts";
export { readCaptureFile } from "./io/capture-file.ts";
export { PcapngWriter } from "./io/pcapng-writer.ts";
export { PcapWriter } from "./io/pcap-writer.ts";
export { buildFrame, buildIp } from "./wire/build.ts";
export { decodeFrame } from "./wire/decode.ts";
export { describe } from "./wire/describe.ts";
export { Director, type DirectorStartOptions, type ServiceKey, type ServiceConfig, type DestKey, type DestConfig } from "./director/api.ts";
export { WvsError, type WvsErrorCode } from "./director/wvs-error.ts";
export { PacketDirector } from "./director/director.ts";
export { formatMetrics } from "./director/metrics.ts";
export type { AdmTarget, ConnStatus, DirectorStatus, ControlRequest, ControlResponse } from "./control/target.ts";
export { AfPacketDevice } from "./io/afpacket.ts";
