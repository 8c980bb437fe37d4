/**
 * Whether a server process that WE spawned is up at `url`: its own stdout says it runs, and /readyz answers 200.
 * /readyz alone is not enough: a port from `freePort()` was only free a moment ago, and another test's server
 * (listening on port 0) can take it in the seconds before ours listens; its /readyz would answer for ours.
 * Ours then fails with EADDRINUSE instead of being mistaken for ready.
 */
export async function ownServerReady(url: string, stdout: string): Promise<boolean> {
  if (!/Polku is running at/.test(stdout)) return false;
  return fetch(`${url}/readyz`).then(
    (res) => res.status === 200,
    () => false,
  );
}
