/**
 * The hub settings, one object for every download of a model file: which hub (HF_ENDPOINT, the
 * hub's own variable for a mirror of the hub API; else TOKENSKIP_HUB_HOST; else huggingface.co),
 * which app-layout mirror (browser), the token for gated repos (HF_TOKEN, sent only to the hub
 * host), where files are kept, and the transfer limits that keep a hostile or broken server from
 * hanging or filling the machine: a stall timeout and a per-file size bound.
 *
 * Node reads them from the environment once (`hubSettingsFromEnv(process.env, defaultDir)` in
 * hub/node/model-store.ts); the browser builds them from the app's settings (`mirror`).
 */
import { DEFAULT_HUB } from '../../core/models/registry.ts';

export { DEFAULT_HUB };

export interface TransferLimits {
  /** A download that receives fewer than `stallBytes` within this many ms is stopped (kept). */
  stallMs: number;
  /** See `stallMs` (a 1 byte/s trickle is a stall, not progress). */
  stallBytes: number;
  /** No model file may be larger than this, whatever a server declares. */
  maxFileBytes: number;
}

export interface HubSettings extends TransferLimits {
  /** The hub's base URL, no trailing slash. */
  host: string;
  /** An app-layout mirror (`<mirror>/<repo>/<file>`), browser only. */
  mirror?: string;
  /** HF_TOKEN: sent as `Authorization: Bearer` to the hub host only. */
  token?: string;
  /** Node: the store folder. */
  cacheDir?: string;
}

export const DEFAULT_LIMITS: TransferLimits = {
  stallMs: 30_000,
  stallBytes: 16 * 1024,
  // XLM-R large's external data is 2.24 GB; the largest ONNX graph in the registry is under 1 GB.
  maxFileBytes: 8 * 2 ** 30,
};

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${name}=${value} is not a positive number; unset it or give one.`);
  }
  return n;
}

/**
 * From environment variables: HF_ENDPOINT / TOKENSKIP_HUB_HOST, HF_TOKEN, TOKENSKIP_CACHE (else
 * `defaultDir`), TOKENSKIP_STALL_SECONDS, TOKENSKIP_STALL_BYTES, TOKENSKIP_MAX_FILE_BYTES.
 */
export function hubSettingsFromEnv(
  env: Record<string, string | undefined>,
  defaultDir?: string,
): HubSettings {
  const stall = positive(env.TOKENSKIP_STALL_SECONDS, 'TOKENSKIP_STALL_SECONDS');
  const cacheDir = env.TOKENSKIP_CACHE || defaultDir;
  return {
    host: (env.HF_ENDPOINT || env.TOKENSKIP_HUB_HOST || DEFAULT_HUB).replace(/\/+$/, ''),
    ...(env.HF_TOKEN ? { token: env.HF_TOKEN } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    stallMs: stall !== undefined ? stall * 1000 : DEFAULT_LIMITS.stallMs,
    stallBytes:
      positive(env.TOKENSKIP_STALL_BYTES, 'TOKENSKIP_STALL_BYTES') ?? DEFAULT_LIMITS.stallBytes,
    maxFileBytes:
      positive(env.TOKENSKIP_MAX_FILE_BYTES, 'TOKENSKIP_MAX_FILE_BYTES') ??
      DEFAULT_LIMITS.maxFileBytes,
  };
}

/** The browser's settings: the public hub, the app's mirror setting, the default limits. */
export function browserHubSettings(mirror?: string): HubSettings {
  return { host: DEFAULT_HUB, ...(mirror ? { mirror } : {}), ...DEFAULT_LIMITS };
}

/** Headers for requests to the hub host: the token as a bearer token. Never printed. */
export function hubAuthHeaders(settings: Pick<HubSettings, 'token'>): Record<string, string> {
  return settings.token ? { Authorization: `Bearer ${settings.token}` } : {};
}
