// npm run web:build: the static page in build/web (see src/cli/web-build.ts).
import { buildWeb, WEB_OUT } from "../src/cli/web-build.ts";

const t0 = performance.now();
buildWeb();
console.log(`built ${WEB_OUT} in ${Math.round(performance.now() - t0)} ms`);
