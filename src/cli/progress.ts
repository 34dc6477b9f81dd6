// A one-line progress bar on a terminal stream (only used when stderr is a TTY).
export function progressBar(stream: NodeJS.WriteStream) {
  let last = -1;
  return {
    update(done: number, total: number): void {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
      if (pct === last) return;
      last = pct;
      const width = 30, filled = Math.round((pct / 100) * width);
      stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}%`);
    },
    done(): void { if (last >= 0) stream.write("\r\x1b[K"); },
  };
}
