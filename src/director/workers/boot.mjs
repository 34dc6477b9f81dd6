// Entry of a director worker thread: worker threads do not inherit the tsx hooks the `wvs` command
// registered, so register them here, then run the TypeScript worker.
import { register } from "tsx/esm/api";
register();
await import("./worker.ts");
