// Condition-based skipping of a whole suite: prints a marker that scripts/test.mjs counts as one
// skipped suite and lists with its reason in the summary. Use only for a missing precondition of the
// machine (no ../shared, not root, no tshark), never to hide a failing test.
export function skipSuite(name: string, reason: string): void {
  console.log(`::skip:: ${name} :: ${reason}`);
}
