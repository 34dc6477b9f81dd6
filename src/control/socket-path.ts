// Where a director's control socket lives unless `--socket PATH` says otherwise (wvs director and
// wvsadm agree on it). Browser-safe.
export const DEFAULT_SOCKET = "/run/wvs/wvs.sock";
