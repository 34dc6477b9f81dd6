// Loads the optional native addon (build/Release/wvs.node). Node-only. When it is missing or cannot
// load, nativeAddon() returns null and nativeAddonError() says why; nothing else depends on it.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface AdviseResult { ok: boolean; bytes: number; error?: string }

/** Opaque AF_PACKET socket handle (a napi external with a type tag). */
export type AfPacketHandle = { readonly __afpacket: unique symbol };

/** openSocket options; see native/afpacket.c. */
export interface AfPacketSocketOptions {
  ignoreOutgoing?: boolean; qdiscBypass?: boolean; promiscuous?: boolean;
  fanoutGroup?: number; fanoutMode?: "hash" | "lb" | "cpu" | "rollover" | "rnd" | "qm" | "cbpf" | number; fanoutDefrag?: boolean;
  /** With fanoutMode "cbpf": the group's classic BPF program (struct sock_filter records, host order). */
  fanoutProgram?: Uint8Array;
  blockSize?: number; blockCount?: number; frameSize?: number; retireMs?: number;
  /** Transmit through a TPACKET_V2 ring of this many slots (one copy, one send() per batch); 0 or absent: sendmmsg. */
  txRing?: number;
}

/** Where rxInto writes: frame k at base + cursor_k + headroom, cursor_{k+1} = (cursor_k + headroom + len_k + 7) & ~7. */
export interface RxLayout { base: number; cursor: number; headroom: number; limit: number; maxFrames: number }

/** Per-frame flags in rxInto's descriptors (word 3k+2): low byte, then sll_pkttype << 8 and the VLAN TCI << 16. */
export const RX_CSUM_NOTREADY = 0x01;
export const RX_CSUM_DONE = 0x02;
export const RX_VLAN = 0x04;
export const RX_TRUNCATED = 0x08;
export const RX_CSUM_VALID = 0x10;

export interface AfPacketKernelStats { packets: number; drops: number; freezeQueue: number; txAgain: number }
export interface LinkInfo { ifindex: number; up: boolean; running: boolean; mtu: number }

export interface Addon {
  adviseHugePages(buffer: ArrayBuffer, offset: number, length: number): AdviseResult;
  openSocket(ifname: string, opts?: AfPacketSocketOptions): AfPacketHandle;
  /** Copies ready frames from the ring into u8; desc gets [offset, length, flags] per frame; returns the count. */
  rxInto(h: AfPacketHandle, u8: Uint8Array, layout: RxLayout, desc: Uint32Array): number;
  /** sendmmsg or the TX ring, non-blocking: returns how many of the first `count` frames were sent (fewer when the queue/ring is full). */
  sendBatch(h: AfPacketHandle, u8: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
  /** uv_poll: cb("readable") when a ring block is ready, cb("error", errnoName) once on POLLERR (polling then stops). */
  poll(h: AfPacketHandle, cb: (event: "readable" | "error", code?: string) => void): void;
  stopPoll(h: AfPacketHandle): void;
  /** Kernel counters since the previous call (PACKET_STATISTICS resets on read). */
  stats(h: AfPacketHandle): AfPacketKernelStats;
  linkInfo(ifname: string): LinkInfo;
  /** Completes the TCP/UDP checksum of the Ethernet frame at u8[offset, offset+length); false when not applicable. */
  completeChecksum(u8: Uint8Array, offset: number, length: number): boolean;
  /** Replaces the cBPF program of the fanout group the socket belongs to (PACKET_FANOUT_DATA). */
  setFanoutProgram(h: AfPacketHandle, program: Uint8Array): void;
  close(h: AfPacketHandle): void;
}

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/Release/wvs.node");
let loaded: Addon | null | undefined;
let why = "";

export function nativeAddon(): Addon | null {
  if (loaded === undefined) {
    try { loaded = createRequire(import.meta.url)(file) as Addon; }
    catch (e) { loaded = null; why = `${file}: ${(e as Error).message.split("\n")[0]}`; }
  }
  return loaded;
}

export function nativeAddonError(): string { nativeAddon(); return why; }
