import { randomBytes } from 'node:crypto';
import { SERVICES } from '../../functions/services.ts';
import { type LocalPlatform, startLocalPlatform } from '../../lib/runtime/local/platform.ts';
import { dynamoEndpoint } from './dynamo.ts';

/** The whole platform on a free port, on the run's DynamoDB Local, under its own table prefix. */
export async function startTestPlatform(
  options: { seed?: boolean; demoProducts?: number } = {},
): Promise<LocalPlatform> {
  const platform = await startLocalPlatform({
    port: 0,
    services: SERVICES,
    dynamoEndpoint: dynamoEndpoint(),
    tablePrefix: `e2e${randomBytes(3).toString('hex')}`,
    ...options,
  });
  await platform.idle();
  return platform;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
type AnyJson = any;

export interface HttpOptions {
  body?: unknown;
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: AnyJson;
  text: string;
}

export type Http = (method: string, path: string, options?: HttpOptions) => Promise<HttpAnswer>;

/** A small fetch wrapper for end-to-end tests. */
export function http(baseUrl: string): Http {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}
