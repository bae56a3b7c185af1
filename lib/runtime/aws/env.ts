import { ConfigError } from '../../config/config.ts';

/** Reads a required environment variable, failing with a message that names it. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError(`Environment variable ${name} is required but not set`);
  return value;
}
