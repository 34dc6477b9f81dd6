// Headless Debian Chromium for the page tests, driven by playwright-core: finds /usr/bin/chromium and
// installs it with apt-get when missing and root (scripts/ensure-deps.sh lists it too); otherwise the
// caller skips with the reason returned. playwright-core is a devDependency imported normally; for a
// checkout without it installed, WVS_PLAYWRIGHT_DIR may name a directory whose node_modules has it.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
export const CHROMIUM_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

const findChromium = () => CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;

/** The Chromium binary, installing Debian's package if needed; or a reason why there is none. */
export function ensureChromium(): { path: string } | { reason: string } {
  let p = findChromium();
  if (p) return { path: p };
  if (process.getuid?.() !== 0) return { reason: "chromium is not installed and we are not root to apt-get it" };
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { env, timeout: 300_000 });
    r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env, encoding: "utf8", timeout: 600_000 });
  }
  p = findChromium();
  return p ? { path: p } : { reason: `apt-get install chromium failed: ${(r.stderr || r.stdout || "").trim().split("\n").pop()}` };
}

/** The part of playwright-core's API the tests use (typed here so tsc does not need the package). */
export interface PwPage {
  goto(url: string): Promise<unknown>;
  on(ev: "pageerror", f: (e: Error) => void): void;
  on(ev: "console", f: (m: { type(): string; text(): string }) => void): void;
  waitForFunction<A>(f: string | ((arg: A) => unknown), arg?: A, o?: { timeout?: number }): Promise<unknown>;
  textContent(sel: string): Promise<string | null>;
  evaluate<T>(f: string | (() => T)): Promise<T>;
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
  click(sel: string): Promise<void>;
  setInputFiles(sel: string, files: string | string[]): Promise<void>;
  check(sel: string): Promise<void>;
  fill(sel: string, value: string): Promise<void>;
}
export interface PwBrowser { newPage(): Promise<PwPage>; close(): Promise<void> }
export interface Playwright { chromium: { launch(o: { executablePath: string; args: string[]; headless?: boolean }): Promise<PwBrowser> } }
const PACKAGE = "playwright-core";

/** playwright-core, or a reason why it cannot be loaded. */
export async function loadPlaywright(): Promise<{ pw: Playwright } | { reason: string }> {
  try {
    return { pw: (await import(PACKAGE)) as Playwright };
  } catch (e) {
    const dir = process.env.WVS_PLAYWRIGHT_DIR;
    if (dir) return { pw: createRequire(path.join(dir, "package.json"))(PACKAGE) as Playwright };
    return { reason: `playwright-core is not installed (npm install): ${(e as Error).message.split("\n")[0]}` };
  }
}
