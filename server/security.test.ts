/**
 * Host allow-list (issue #16): the API answers only requests whose Host is the address the server
 * was started on (localhost, 127.0.0.1 and [::1] for the default) or FACEMATCH_ALLOWED_HOSTS, so a
 * page on another site cannot reach it through DNS rebinding. Checked over real HTTP.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './main.ts';
import { allowedHostNames, hostNameOf } from './security.ts';
import { fakeEngine } from './testkit.ts';

function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host allow-list', () => {
  let s: RunningServer;
  let proxied: RunningServer;
  beforeAll(async () => {
    s = await startServer({ port: 0, staticDir: '/nonexistent' }, { engine: fakeEngine() });
    proxied = await startServer({ port: 0, staticDir: '/nonexistent', allowedHosts: ['playground.example.com'] }, { engine: fakeEngine() });
  });
  afterAll(async () => { await Promise.all([s?.close(), proxied?.close()]); });

  it('answers the default names of a loopback start, whatever the port', async () => {
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`, 'LOCALHOST']) {
      expect((await get(s.port, '/health', host)).status, host).toBe(200);
    }
  });

  it('refuses any other Host on the API routes with 421 and a sentence', async () => {
    const res = await get(s.port, '/health', 'rebind.attacker.example:8080');
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body)).toEqual({
      message: 'This server does not answer requests for the host "rebind.attacker.example:8080". It answers localhost, 127.0.0.1, [::1]; to reach it under another name (for example behind a proxy), add that name to FACEMATCH_ALLOWED_HOSTS (comma-separated) and restart it.',
    });
    expect((await get(s.port, '/facematch', 'rebind.attacker.example')).status).toBe(421);
    expect((await get(s.port, '/v1/facematch', 'rebind.attacker.example')).status).toBe(421);
  });

  it('answers the names in FACEMATCH_ALLOWED_HOSTS too', async () => {
    expect((await get(proxied.port, '/health', 'playground.example.com')).status).toBe(200);
    expect((await get(proxied.port, '/health', 'other.example.com')).status).toBe(421);
  });

  it('works out the names from the listen address', () => {
    expect([...allowedHostNames('127.0.0.1')]).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect([...allowedHostNames('::1')]).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(allowedHostNames('10.1.2.3').has('10.1.2.3')).toBe(true);
    const all = allowedHostNames('0.0.0.0', ['a.example'], { hostname: 'Box', addresses: ['192.168.0.7', 'fe80::1'] });
    expect([...all]).toEqual(['localhost', '127.0.0.1', '[::1]', 'box', '192.168.0.7', '[fe80::1]', 'a.example']);
    expect(hostNameOf('[::1]:8080')).toBe('[::1]');
    expect(hostNameOf('Example.com:80')).toBe('example.com');
  });
});
