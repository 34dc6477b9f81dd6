// Where the director's control socket lives unless told otherwise (`--socket PATH` or $WVS_SOCKET).
// wvsadm / `wvs proc` connect to it; the director listens on it. Browser-safe.
export const DEFAULT_SOCKET_PATH = "/run/wvs/wvs.sock";

/** The socket path to use: the explicit one, else $WVS_SOCKET, else the default. */
export function socketPath(explicit: string | undefined, env: Record<string, string | undefined>): string {
  return explicit || env.WVS_SOCKET || DEFAULT_SOCKET_PATH;
}
