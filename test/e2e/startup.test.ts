import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/runtime/local/dynamo-local.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `npm start`'s command (`node --import tsx bin/local.ts`) as a child process. One process, as
 * `npm start` runs it: a signal reaches the platform itself, not a wrapper that gives a busy child
 * 60 ms to answer before killing it.
 */
function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += String(c);
  });
  child.stderr?.on('data', (c) => {
    output += String(c);
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function until(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('serves the API, prints a ready banner with its URLs and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const run = start({ PORT: String(port) });
    try {
      // Start-up time is a benchmark figure, not a test assertion: on a loaded two-core box running
      // other suites it varies several-fold. This only waits long enough to see the banner.
      await until(() => run.output().includes('Vitrine is ready'), 150_000);
      expect(run.output()).toContain(`http://127.0.0.1:${port}/docs`);
      const res = await fetch(`http://127.0.0.1:${port}/v1/products?market=FR&limit=1`);
      expect(res.status).toBe(200);
      run.child.kill('SIGINT');
      expect(await run.exit).toBe(0);
      expect(run.output()).toContain('Stopped.');
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 180_000);

  it('exits with code 1 and says so when the port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const run = start({ PORT: String(port) });
      expect(await run.exit).toBe(1);
      expect(run.output()).toMatch(new RegExp(`Port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('exits with code 1 and says so when Java is missing', async () => {
    const run = start({ PORT: String(await freePort()), PATH: '/nonexistent' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(/Java 17 or newer is required/);
  });
});
